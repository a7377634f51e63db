"""`rag eval --distractors`: real articles indexed next to corpus/, the same questions scored
among them, results beside the 5-article ones. Hash embedder, a small generated CSV."""
from __future__ import annotations

import csv
import json

import pytest

from rag.config import Settings
from rag.evaluation import runner
from rag.evaluation.distractors import DistractorsError, load_distractors, resolve

ROWS = [
    ("Inland", "Die Regierung plant eine Reform. Wien – Der Minister stellte am Montag die Pläne vor. "
               "Die Opposition kritisierte sie."),
    ("Sport", "Rapid gewinnt das Derby. Die Mannschaft siegte mit 2:1 gegen die Austria."),
    ("Web", ""),  # no text: skipped
    ("International", "Nordkorea schickt Soldaten? Ein Bericht aus Seoul nennt Zahlen über Truppen in Kursk. "
                      "China äußerte sich nicht."),
    ("Kultur", "Ein Satz allein."),
]


def write_csv(path, rows=ROWS):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["category", "text"])
        w.writerows(rows)
    return path


def test_rows_become_documents(tmp_path):
    path = write_csv(tmp_path / "articles.csv")
    docs = load_distractors(path)
    assert [d.doc_id for d in docs] == ["de-news/0000", "de-news/0001", "de-news/0003", "de-news/0004"]
    d = docs[0]
    assert d.title == "Die Regierung plant eine Reform."
    assert d.text == "Wien – Der Minister stellte am Montag die Pläne vor. Die Opposition kritisierte sie."
    assert d.source == str(path) and len(d.sha256) == 64
    assert docs[3].title == docs[3].text == "Ein Satz allein."  # one sentence: it stays the text
    assert [d.doc_id for d in load_distractors(path, limit=2)] == ["de-news/0000", "de-news/0001"]


def test_missing_or_bad_csv_is_a_clear_error(tmp_path):
    with pytest.raises(DistractorsError, match="RAG_DISTRACTORS_CSV"):
        resolve(None, Settings(distractors_csv=None))
    with pytest.raises(DistractorsError, match="does not exist"):
        resolve(tmp_path / "nope.csv", Settings())
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DistractorsError, match="text"):
        load_distractors(bad)
    assert resolve(None, Settings(distractors_csv=bad)) == bad


def test_default_csv_is_the_shared_fixture_when_present():
    want = runner.ROOT.parent / "shared" / "fixtures" / "de-news" / "articles.csv"
    assert Settings().distractors_csv == (want if want.exists() else None)


def test_eval_among_distractors_beside_the_five_article_run(tmp_path, monkeypatch, capsys, hash_settings):
    from rag import cli
    for k, v in {"RAG_EMBED_BACKEND": "hash", "RAG_EMBED_DIM": "64", "RAG_LLM_BACKEND": "scripted",
                 "RAG_CORPUS_DIR": str(hash_settings.corpus_dir), "RAG_INDEX_DIR": str(tmp_path / "index")}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(runner, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(runner, "DISTRACTOR_RESULTS", tmp_path / "results" / "distractors")
    args = ["eval", "--quick", "--limit", "6", "--baselines", "bm25,quickstart"]
    assert cli.main(args) == 0
    five = json.loads((tmp_path / "results" / "quick.json").read_text())
    assert five["distractors"] == 0

    csv_path = write_csv(tmp_path / "articles.csv")
    assert cli.main(args + ["--distractors", str(csv_path), "--distractors-limit", "3"]) == 0
    out = tmp_path / "results" / "distractors"
    res = json.loads((out / "quick.json").read_text())
    assert res["distractors"] == 3 and res["distractors_source"] == str(csv_path)
    assert res["corpus_articles"] == 5 and res["distractors_limit"] == 3
    assert res["quickstart"]["nodes"] == five["quickstart"]["nodes"] + 3  # it searches them too
    assert res["beside"]["systems"]["ours"]["n_common"] == 6
    assert res["comparison"] is None  # the 5-article run is not its previous run
    md = (out / "report.md").read_text()
    assert "among 3 distractor articles" in md.splitlines()[0]
    assert "**distractors: 3**" in md and "Beside the 5-article run" in md and "+ 3 distractors" in md
    assert "--distractors --distractors-limit 3" in md
    assert json.loads((tmp_path / "results" / "quick.json").read_text())["created"] == five["created"]

    capsys.readouterr()
    assert cli.main(args + ["--distractors", str(tmp_path / "missing.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_distractors_are_indexed_and_retrievable(hash_settings, tmp_path):
    from rag.pipeline import Pipeline
    csv_path = write_csv(tmp_path / "articles.csv")
    pipe = Pipeline(hash_settings, memory=True)
    res = runner.run_eval(hash_settings, quick=True, limit=3, baselines="none", out=None, pipeline=pipe,
                          progress=False, distractors=csv_path)
    assert res["distractors"] == 4 and "beside" not in res
    states = pipe.store.doc_states()
    assert {"de-news/0000", "de-news/0001", "de-news/0003", "de-news/0004"} <= set(states)
    assert len(states) == 9 and all(st["complete"] for st in states.values())
    hits = pipe.retrieve("Rapid Derby Austria Mannschaft", 3)
    assert hits[0].doc_id == "de-news/0001" and hits[0].title == "Rapid gewinnt das Derby."
    pipe.store.close()
