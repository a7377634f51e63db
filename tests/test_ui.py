"""The Gradio app through its HTTP API (gradio_client), launched in-process on a free loopback
port. Logic runs on the hash embedder + scripted LLM; one slow test uses the real models."""
from __future__ import annotations

import re
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file

from rag.errors import InputError
from rag.ui.app import build_app, serve
from rag.ui.articles import safe_name, store_upload

# the echo below answers with evidence [1]: for this wording, on the hash embedder, a statement of
# China's (for "What did China say …?" it is the US spokesman's, which the speaker check withdraws)
CHINA = "How did China react to the deployment?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(pipe, settings, auth=None):
    """The app on a free loopback port; yields (client, base url)."""
    app = build_app(pipe, settings)
    _, url, _ = serve(app, settings, "127.0.0.1", free_port(), block=False)
    try:
        yield Client(url, verbose=False, auth=auth, download_files=False), url
    finally:
        app.close()


def echo_passage_one(messages) -> str:
    """Scripted LLM: repeats evidence sentence [1] and cites it (always supported);
    for the follow-up rewrite prompt it returns the question unchanged."""
    text = messages[-1]["content"]
    if "Rewritten question" in text:
        return re.search(r"Last question: (.*)", text).group(1)
    return re.search(r"^\[1\] (.*)$", text, re.M).group(1).strip() + " [1]"


@pytest.fixture
def app_client(hash_pipeline, hash_settings):
    hash_pipeline.generator.replies = echo_passage_one
    hash_pipeline.ingest(hash_settings.corpus_dir)
    with running(hash_pipeline, hash_settings) as (client, url):
        yield client


def test_ask_returns_cited_answer(app_client):
    ans = app_client.predict(CHINA, [], api_name="/ask")
    assert not ans["abstained"] and ans["backend"] == "scripted"
    assert ans["citations"] and "[1]" in ans["text"]
    assert ans["citations"][0]["doc_id"].endswith(".txt") and ans["passages"]


def test_ask_reports_bad_question_without_traceback(app_client):
    with pytest.raises(Exception, match="Please type a question") as err:
        app_client.predict("   ", [], api_name="/ask")
    assert "Traceback" not in str(err.value)


def test_chat_streams_partial_updates_then_sources(app_client):
    job = app_client.submit(CHINA, [], api_name="/chat")
    chat, sources, others, status, box = job.result(timeout=120)
    assert len(job.outputs()) >= 4  # searching, several token updates, final
    partial = [o[0][-1]["content"][0]["text"] for o in job.outputs()[1:-1] if o[0]]
    assert any("▌" in p for p in partial) and len(set(partial)) >= 3
    final = chat[-1]["content"][0]["text"]
    assert '<a class="cite" href="#src-1">[1]</a>' in final
    assert 'id="src-1"' in sources and "<mark>" in sources
    assert "scripted" in status and "total" in status and box == ""


def test_follow_up_passes_history(app_client, hash_pipeline):
    app_client.predict(CHINA, [], api_name="/chat")
    first = app_client.predict(CHINA, [], api_name="/chat")  # same session: history is kept
    prompts = [m[-1]["content"] for m in hash_pipeline.generator.calls]
    condense = [p for p in prompts if "Rewritten question" in p]
    assert condense and CHINA in condense[-1].rsplit("Last question", 1)[0]
    assert first[0][-1]["role"] == "assistant"


def test_abstention_is_visible(app_client, hash_pipeline):
    hash_pipeline.generator.replies = ["The articles do not say."]
    chat, sources, _, status, _ = app_client.predict(CHINA, [], api_name="/chat")
    assert 'class="abstain"' in chat[-1]["content"][0]["text"]
    assert "not in the articles" in status and "No sentence of the articles supports" in sources


def test_empty_question_shows_message(app_client):
    chat, _, _, status, _ = app_client.predict("", [], api_name="/chat")
    assert "Please type a question" in status and chat == []


def test_several_users_are_queued(hash_pipeline, hash_settings):
    hash_pipeline.generator.replies = echo_passage_one
    hash_pipeline.ingest(hash_settings.corpus_dir)
    with running(hash_pipeline, hash_settings) as (_, url):
        results, clients = [], [Client(url, verbose=False, download_files=False) for _ in range(3)]
        threads = [threading.Thread(target=lambda c=c: results.append(c.predict(CHINA, [], api_name="/ask")))
                   for c in clients]
        [t.start() for t in threads]
        [t.join(120) for t in threads]
    assert len(results) == 3 and all(r["citations"] for r in results)


def test_upload_ingests_and_lists(app_client, hash_settings, tmp_path):
    f = tmp_path / "up" / "Neuer Artikel äöü.txt"
    f.parent.mkdir()
    f.write_text("Neuer Artikel\n\nDer Bürgermeister sagte, die Brücke koste 40 Millionen Euro.")
    report, _, table, _ = app_client.predict([handle_file(str(f))], api_name="/upload")
    assert "1 added" in report
    assert (hash_settings.corpus_dir / f.name).read_text() == f.read_text()
    assert f.name in [row[0] for row in table["data"]]
    _, table, _ = app_client.predict(f.name, api_name="/delete")
    assert f.name not in [row[0] for row in table["data"]]
    assert not (hash_settings.corpus_dir / f.name).exists()


def test_upload_rejects_bad_files(app_client, hash_settings, tmp_path):
    (tmp_path / "x.exe").write_bytes(b"MZ\x00\x00")
    with pytest.raises(Exception, match="Invalid file type"):  # Gradio's own check, before ours
        app_client.predict([handle_file(str(tmp_path / "x.exe"))], api_name="/upload")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "ok.md").write_text("# Titel\n\nEin Satz über die Brücke.")
    report, *_ = app_client.predict([handle_file(str(tmp_path / n)) for n in ("bin.txt", "ok.md")],
                                    api_name="/upload")
    assert "binary" in report and "1 added" in report
    assert not (hash_settings.corpus_dir / "bin.txt").exists()
    assert not (hash_settings.corpus_dir / "x.exe").exists()
    hash_settings.max_files_per_upload = 1
    report, *_ = app_client.predict([handle_file(str(tmp_path / "ok.md"))] * 2, api_name="/upload")
    assert "at most 1 per upload" in report


def test_traversal_name_does_not_escape_corpus(app_client, hash_settings, tmp_path):
    # a hand-made multipart upload, since gradio_client itself only sends bare names
    up = httpx.post(app_client.src.rstrip("/") + "/gradio_api/upload",
                    files={"files": ("../../evil.txt", "Evil\n\nDer Text des bösen Artikels.".encode())})
    server_path = up.json()[0]
    report, *_ = app_client.predict([{"path": server_path, "meta": {"_type": "gradio.FileData"},
                                      "orig_name": "../../evil.txt"}], api_name="/upload")
    corpus = hash_settings.corpus_dir.resolve()
    for parent in list(corpus.parents)[:3]:
        assert not (parent / "evil.txt").exists()
    assert (corpus / "evil.txt").exists() and "1 added" in report


def test_store_upload_sanitizes_names(hash_settings, tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("Titel\n\nEin Satz.")
    for name in ("../../evil.txt", "..\\..\\evil.txt", "/etc/evil.txt"):
        assert store_upload(src, name, hash_settings) == ("evil.txt", name != "../../evil.txt")
    assert not (tmp_path / "evil.txt").exists()
    assert safe_name('a<b>:"c".md') == "a_b___c_.md"
    for bad in ("..", ".hidden.txt", "", "x.exe", "noext"):
        with pytest.raises(InputError):
            safe_name(bad)
    hash_settings.max_upload_mb = 0.00001
    with pytest.raises(InputError, match="MB limit"):
        store_upload(src, "big.txt", hash_settings)


def test_index_locked_is_shown_not_crashed(hash_settings):
    from rag.pipeline import Pipeline
    holder = Pipeline(hash_settings)  # on-disk Qdrant: the first opener holds the lock
    holder.store
    try:
        with running(Pipeline(hash_settings), hash_settings) as (client, _):
            _, _, banner = client.predict(api_name="/articles")
            assert "in use by another process" in banner
            _, _, _, status, _ = client.predict(CHINA, [], api_name="/chat")
            assert "in use by another process" in status
    finally:
        holder.store.close()


def test_password_enables_auth(hash_pipeline, hash_settings):
    hash_settings.password = "s3cret"
    with running(hash_pipeline, hash_settings, auth=("rag", "s3cret")) as (client, url):
        assert client.predict(api_name="/articles")
        assert httpx.get(url.rstrip("/") + "/config").status_code in (401, 403)


@pytest.mark.slow
def test_real_pipeline_answers_china_question(real_pipeline, real_settings):
    with running(real_pipeline, real_settings) as (client, _):
        ans = client.predict(CHINA, [], api_name="/ask")
    assert not ans["abstained"] and ans["citations"], ans["text"]
    assert ans["backend"].startswith("llama.cpp:")
    assert "china" in ans["text"].lower() or "beijing" in ans["text"].lower()
    assert all(c["doc_id"] in {p["doc_id"] for p in ans["passages"]} for c in ans["citations"])


def test_url_box_refuses_a_private_address(app_client):
    report, _, _, _ = app_client.predict("http://10.0.0.1/intern.html", api_name="/add_url")
    assert "10.0.0.1" in report and "private, loopback or link-local" in report
    report, *_ = app_client.predict("not a url", api_name="/add_url")
    assert "Paste a web address" in report
