"""Unit tests of the evaluation metrics and report plumbing: hand-made inputs, no real models."""
from __future__ import annotations

import json
import math

import pytest

from rag.evaluation.gold import GoldIndex, locate, n_gold, norm_ws
from rag.evaluation.metrics import (abstention_scores, breakdown, citation_scores, first_rank, gold_recall_at, hit_at,
                                    key_facts_found, ndcg_at, percentile, ratio, reciprocal_rank, summarize)
from rag.evaluation.questions import load_split, parse_baselines, retrieval_query
from rag.types import Passage


def P(doc_id: str, text: str, start: int = 0, end: int | None = None) -> Passage:
    return Passage(chunk_id=f"{doc_id}:{start}", doc_id=doc_id, title="", text=text, start=start,
                   end=len(text) + start if end is None else end, score=0.0)


# -- ranking metrics --------------------------------------------------------------------------

def test_mrr_and_hits_of_known_ranking():
    rels = [[], [], [0], [], [0]]  # first gold passage at rank 3
    assert first_rank(rels) == 3
    assert reciprocal_rank(rels) == pytest.approx(1 / 3)
    assert hit_at(rels, 1) == 0.0
    assert hit_at(rels, 2) == 0.0
    assert hit_at(rels, 3) == 1.0
    assert hit_at(rels, 5) == 1.0
    assert reciprocal_rank([[0]]) == 1.0
    assert reciprocal_rank([[], []]) == 0.0 and first_rank([]) is None


def test_ndcg_perfect_partial_and_duplicates():
    assert ndcg_at([[0], [1], []], n_gold=2) == pytest.approx(1.0)
    # one gold quote found at rank 2 only
    assert ndcg_at([[], [0]], n_gold=1) == pytest.approx(1 / math.log2(3))
    # a second chunk covering the same quote earns nothing: ideal has 2 quotes, only 1 found
    got = ndcg_at([[0], [0]], n_gold=2)
    assert got == pytest.approx(1.0 / (1.0 + 1 / math.log2(3)))
    # one passage covering both quotes at rank 1 beats the ideal's second slot
    assert ndcg_at([[0, 1]], n_gold=2) == pytest.approx(2.0 / (1.0 + 1 / math.log2(3)))
    assert ndcg_at([[]] * 20 + [[0]], n_gold=1, k=10) == 0.0
    assert ndcg_at([[0]], n_gold=0) == 0.0


def test_gold_recall():
    assert gold_recall_at([[0], [], [1]], 2, 2) == 0.5
    assert gold_recall_at([[0], [], [1]], 2, 5) == 1.0
    assert gold_recall_at([], 0, 5) == 0.0


# -- gold matching ----------------------------------------------------------------------------

DOC = "Erster Satz hier.\nDie Zahl stieg auf 11.000 Soldaten, sagte Seoul. Noch ein Satz am Ende."


def test_locate_ignores_nbsp_and_newlines():
    assert locate("auf 11.000\u00a0Soldaten", DOC) == (DOC.index("auf 11.000"), DOC.index(", sagte"))
    assert locate("hier. Die Zahl", DOC) is not None  # newline in the document, space in the quote
    assert locate("nicht da", DOC) is None
    assert locate("   ", DOC) is None
    assert norm_ws("a\u00a0 b\n\nc ") == "a b c"


def test_gold_index_substring_and_overlap():
    gold = [{"doc_id": "d1", "quote": "auf 11.000\u00a0Soldaten"}, {"doc_id": "d2", "quote": "anders"}]
    g = GoldIndex({"d1": DOC, "d2": "ganz anders"})
    s = DOC.index("Die Zahl")
    inside = P("d1", DOC[s:DOC.index(" Noch")], s)
    assert g.matches(inside, gold) == [0]
    # text holds only part of the quote, but the span overlaps it
    cut = DOC.index("11.000") + 3
    partial = P("d1", DOC[cut:], cut)
    assert g.matches(partial, gold) == [0]
    # same text in another document is not gold
    assert g.matches(P("dX", inside.text, s), gold) == []
    # right document, no overlap
    assert g.matches(P("d1", "Erster Satz hier.", 0), gold) == []
    assert g.matches(P("d2", "ganz anders"), gold) == [1]


def test_another_articles_wording_of_a_gold_statement_covers_that_statement():
    gold = [{"doc_id": "d1", "quote": "auf 11.000\u00a0Soldaten"}, {"doc_id": "d2", "quote": "anders"},
            {"doc_id": "d3", "quote": "elftausend Soldaten", "same_as": 0}]
    g = GoldIndex({"d1": DOC, "d2": "ganz anders", "d3": "Es sind elftausend Soldaten."})
    assert g.matches(P("d3", "Es sind elftausend Soldaten."), gold) == [0]
    assert n_gold(gold) == 2  # the second wording is not one more statement to cite
    assert citation_scores([g.matches(P("d3", "Es sind elftausend Soldaten."), gold)], n_gold(gold))[2] == 0.5


def test_every_gold_quote_of_the_eval_set_is_in_its_article():
    """A quote that is not found verbatim would make every citation of it count as wrong."""
    from rag.config import ROOT
    from rag.load import discover, load_file
    corpus = ROOT / "corpus"
    docs = {d.doc_id: d.text for d in (load_file(f, corpus, 10**7) for f in discover(corpus))}
    qs = load_split("all")
    assert len({q["id"] for q in qs}) == len(qs)
    for q in qs:
        for i, g in enumerate(q.get("gold") or []):
            assert g["doc_id"] in docs and locate(g["quote"], docs[g["doc_id"]]), (q["id"], g["quote"])
            if "same_as" in g:  # refers to an earlier statement of the same question
                assert 0 <= g["same_as"] < i and "same_as" not in q["gold"][g["same_as"]], q["id"]
        assert bool(q.get("gold")) == bool(q["answerable"]), q["id"]


# -- answers ----------------------------------------------------------------------------------

def test_key_facts_every_fact_needs_one_alternative():
    facts = [["11.000", "11,000"], ["Seoul", "Südkorea"]]
    assert key_facts_found("Laut SEOUL sind es 11,000 Soldaten.", facts) == [True, True]
    assert key_facts_found("Es sind 11.000.", facts) == [True, False]
    assert key_facts_found("nichts", facts) == [False, False]
    assert key_facts_found("a\u00a0b", [["A B"]]) == [True]


def test_answers_in_the_questions_language_are_counted_quotes_aside():
    base = dict(answerable=True, n_gold=1, facts_found=[True], abstained=False, split="tune", type="factual")
    recs = [dict(base, id="a", lang="en", answer="x", in_language=True),
            dict(base, id="b", lang="en", answer="x", in_language=False),
            dict(base, id="c", lang="de", answer="", abstained=True)]  # an abstention is not counted
    assert summarize(recs, 0.5)["answer_in_language"] == 0.5


def test_citation_scores():
    correct, total, recall = citation_scores([[0], [], [0, 1]], n_gold=3)
    assert (correct, total) == (2, 3)
    assert recall == pytest.approx(2 / 3)
    assert citation_scores([], 2) == (0, 0, 0.0)


def test_abstention_scores_positive_class_is_should_abstain():
    pairs = [(True, True), (True, False), (False, True), (False, False), (False, False)]
    s = abstention_scores(pairs)
    assert (s["tp"], s["fn"], s["fp"], s["tn"]) == (1, 1, 1, 2)
    assert s["precision"] == 0.5 and s["recall"] == 0.5 and s["f1"] == 0.5
    none = abstention_scores([(False, False)])
    assert none["precision"] is None and none["recall"] is None


def test_percentile_ratio():
    assert percentile([1, 2, 3, 4, 100], 50) == 3
    assert percentile([], 50) is None
    assert ratio(0.9, 0.6) == pytest.approx(1.5)
    assert ratio(0.9, 0) is None and ratio(None, 1) is None


def _rec(i, answerable=True, rels=None, facts=None, abstained=False, cited=None, faith=None, typ="factual",
         lang="en", answer="x", rs=0.1, ans_s=10.0):
    return {"id": f"q{i}", "lang": lang, "type": typ, "answerable": answerable, "n_gold": 1 if answerable else 0,
            "rels": rels if rels is not None else [], "chars5": 100, "retrieve_s": rs,
            "answer": answer, "abstained": abstained, "facts_found": facts or [],
            "cited_gold": cited, "faith": faith or [], "answer_s": ans_s}


def test_summarize_handmade_records():
    recs = [
        _rec(1, rels=[[0]], facts=[True, True], cited=[[0], []], faith=[0.8, 0.4]),
        _rec(2, rels=[[], [0]], facts=[True, False], cited=[[0]], faith=[0.6], typ="numeric", lang="de"),
        _rec(3, rels=[[]], facts=[False], abstained=True, cited=[], typ="numeric"),
        _rec(4, answerable=False, rels=[], abstained=True, typ="unanswerable"),
        _rec(5, answerable=False, rels=[], abstained=False, faith=[0.1], typ="unanswerable", lang="de"),
    ]
    s = summarize(recs, faith_threshold=0.5)
    assert s["n"] == 5 and s["n_answerable"] == 3
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@5"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert s["key_fact_acc"] == pytest.approx(1 / 3)
    assert s["key_fact_share"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert s["citation_precision"] == pytest.approx(2 / 3)  # pooled: 2 of 3 citations gold
    assert s["citation_recall"] == pytest.approx(2 / 3)  # q3 cited nothing
    # should abstain: q4 (yes), q5 (no); abstained though answerable: q3
    assert s["abstain_precision"] == pytest.approx(0.5) and s["abstain_recall"] == pytest.approx(0.5)
    # faithfulness over sentences of non-abstained answers: 0.8 0.4 0.6 0.1
    assert s["faithfulness_mean"] == pytest.approx((0.8 + 0.4 + 0.6 + 0.1) / 4)
    assert s["faithfulness_share"] == pytest.approx(0.5)
    by_type = breakdown(recs, "type", 0.5)
    assert set(by_type) == {"factual", "numeric", "unanswerable"}
    assert by_type["numeric"]["hit@5"] == 0.5
    assert breakdown(recs, "lang", 0.5)["de"]["n"] == 2


def test_summarize_retrieval_only():
    s = summarize([{"id": "a", "lang": "en", "type": "factual", "answerable": True, "n_gold": 1,
                    "rels": [[], [0]], "chars5": 10, "retrieve_s": 0.2}], 0.5)
    assert s["mrr"] == 0.5 and "key_fact_acc" not in s and s["retrieve_p50_s"] == pytest.approx(0.2)


# -- helpers of the runner --------------------------------------------------------------------

def test_parse_baselines():
    assert parse_baselines("all") == ["bm25", "dense", "quickstart"]
    assert parse_baselines("none") == []
    assert parse_baselines("BM25, dense") == ["bm25", "dense"]
    with pytest.raises(ValueError):
        parse_baselines("bm25,gpt4")


def test_followup_query_prefixes_last_user_turn():
    q = {"question": "And what did Seoul say?",
         "history": [{"role": "user", "content": "How many soldiers?"}, {"role": "assistant", "content": "8,000."}]}
    assert retrieval_query(q) == "How many soldiers? And what did Seoul say?"
    assert retrieval_query({"question": "Q?", "history": []}) == "Q?"


def test_compare_flags_regressions():
    from rag.evaluation.compare import compare
    old = {"mode": "quick", "created": "t0", "git": "a", "faith_threshold": 0.5,
           "systems": {"ours": {"records": [_rec(1, rels=[[0]]), _rec(2, rels=[[0]]), _rec(9, rels=[[0]])]}}}
    new = {"mode": "quick", "faith_threshold": 0.5,
           "systems": {"ours": {"records": [_rec(1, rels=[[0]]), _rec(2, rels=[[], [], [0]], rs=0.5)]}}}
    c = compare(new, old)
    m = c["systems"]["ours"]["metrics"]
    assert c["systems"]["ours"]["n_common"] == 2  # q9 only in the old run
    assert m["mrr"]["delta"] == pytest.approx((1 + 1 / 3) / 2 - 1)
    assert m["mrr"]["regression"] and not m["hit@5"]["regression"]
    assert m["retrieve_p95_s"]["regression"]
    assert "ours:mrr" in c["regressions"]
    assert compare(new, {**old, "mode": "full"}) is None


# -- end to end on the hash embedder + scripted LLM (logic only) -----------------------------

def test_generator_llm_adapter_and_quickstart(hash_settings):
    from rag.embed import HashEmbedder
    from rag.evaluation.baselines import Quickstart
    from rag.generate import ScriptedGenerator
    from rag.load import discover, load_file
    docs = [load_file(p, hash_settings.corpus_dir) for p in discover(hash_settings.corpus_dir)]
    gen = ScriptedGenerator(["Seoul says 11,000 soldiers."])
    qs = Quickstart(docs, HashEmbedder(64), gen, top_k=2)
    assert qs.n_nodes >= len(docs)
    hits = qs.retrieve("Kursk Soldaten", 3)
    assert len(hits) == 3 and all(h.doc_id in {d.doc_id for d in docs} for h in hits)
    assert hits[0].text == next(d for d in docs if d.doc_id == hits[0].doc_id).text[hits[0].start:hits[0].end]
    text, sources, secs = qs.answer("How many soldiers?")
    assert text == "Seoul says 11,000 soldiers." and len(sources) == 2 and secs >= 0
    # our generator was called with chat messages (the LLM adapter, not llama-index's defaults)
    assert gen.calls and all({"role", "content"} <= set(m) for m in gen.calls[0])


def test_run_eval_quick_and_full_with_fakes(hash_settings, tmp_path):
    from rag.evaluation.runner import run_eval
    from rag.generate import ScriptedGenerator
    from rag.pipeline import Pipeline

    out = tmp_path / "results"
    pipe = Pipeline(hash_settings, memory=True, generator=ScriptedGenerator(
        lambda msgs: "Nordkorea hat Soldaten nach Russland geschickt [1]."))
    r1 = run_eval(hash_settings, quick=True, limit=6, baselines="bm25,dense", out=out, pipeline=pipe,
                  progress=False)
    assert set(r1["systems"]) == {"ours", "bm25", "dense"}
    assert r1["systems"]["ours"]["summary"]["n"] == 6
    assert (out / "quick.json").exists() and (out / "report.md").exists()
    assert any(p.suffix == ".png" for p in (out / "plots").iterdir())
    r2 = run_eval(hash_settings, quick=True, limit=6, baselines="none", out=out, pipeline=pipe, progress=False)
    assert r2["comparison"] and r2["comparison"]["systems"]["ours"]["n_common"] == 6
    assert "Change against the previous run" in (out / "report.md").read_text()

    r3 = run_eval(hash_settings, quick=False, limit=4, baselines="quickstart,bm25", out=out, pipeline=pipe,
                  progress=False)
    ours = r3["systems"]["ours"]
    assert ours["kind"] == "answers" and r3["systems"]["quickstart"]["kind"] == "answers"
    assert "key_fact_acc" in ours["summary"] and "abstain_recall" in ours["summary"]
    assert "answer_p50_s" in ours["summary"]
    saved = json.loads((out / "full.json").read_text())
    assert saved["n_questions"] == 4 and saved["ratios"]["quickstart"]
    pipe.store.close()


def test_interrupted_run_is_scored_and_resumed(hash_settings, tmp_path):
    from rag.evaluation.runner import run_eval
    from rag.generate import ScriptedGenerator
    from rag.pipeline import Pipeline

    calls = {"n": 0}

    def reply(msgs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # stands in for Ctrl-C / SIGTERM mid-question
        return "Nordkorea hat Soldaten nach Russland geschickt [1]."

    out = tmp_path / "results"
    pipe = Pipeline(hash_settings, memory=True, generator=ScriptedGenerator(reply))
    qs = tmp_path / "q.jsonl"
    # only answerable, history-free questions: one LLM call each (plus the warm-up call)
    from rag.evaluation.questions import load_questions
    keep = [q for q in load_questions() if q["answerable"] and not q["history"]][:4]
    qs.write_text("\n".join(json.dumps(q) for q in keep))
    r1 = run_eval(hash_settings, quick=False, baselines="bm25", out=out, pipeline=pipe, progress=False,
                  questions_path=qs)
    assert r1["interrupted"] and r1["n_questions"] == 1  # warm-up, q1, then q2 is cut off
    assert len(r1["systems"]["bm25"]["records"]) == 1
    assert (out / ".partial-full.jsonl").exists()
    r2 = run_eval(hash_settings, quick=False, baselines="bm25", out=out, pipeline=pipe, progress=False,
                  questions_path=qs, resume=True)
    assert not r2["interrupted"] and r2["resumed"] and r2["n_questions"] == 4
    assert sorted(r["id"] for r in r2["systems"]["ours"]["records"]) == sorted(q["id"] for q in keep)
    assert not (out / ".partial-full.jsonl").exists()
    pipe.store.close()


def test_heldout_split_is_separate_and_reported_apart():
    from rag.evaluation.questions import load_split
    tune, held, both = load_split("tune"), load_split("heldout"), load_split("all")
    assert {q["split"] for q in tune} == {"tune"} and {q["split"] for q in held} == {"heldout"}
    assert len(both) == len(tune) + len(held) and not {q["id"] for q in tune} & {q["id"] for q in held}
    # the minimum: 25 questions, EN and DE, 6 unanswerable, 4 "what did X say"/comparison
    assert len(held) >= 25 and {q["lang"] for q in held} == {"en", "de"}
    assert sum(not q["answerable"] for q in held) >= 6
    assert sum(q["type"] in ("who-said", "comparison") for q in held) >= 4
    with pytest.raises(ValueError):
        load_split("test")


def test_summary_splits_and_llama_cpp_rates():
    recs = [dict(id="a", answerable=True, split="tune", rels=[[0]], n_gold=1, answer="x", abstained=False,
                 facts_found=[True], cited_gold=[[0]], faith=[0.9], answer_s=2.0,
                 timings={"prompt_tokens": 300, "prompt_tps": 80.0, "ttft_s": 1.5}),
            dict(id="b", answerable=True, split="heldout", rels=[[]], n_gold=1, answer="", abstained=True,
                 facts_found=[False], cited_gold=[], faith=[], answer_s=0.1, timings={})]
    by = breakdown(recs, "split", 0.5)
    assert set(by) == {"tune", "heldout"}
    assert by["tune"]["prompt_tokens_p50"] == 300 and by["tune"]["ttft_p50_s"] == 1.5
    assert "prompt_tokens_p50" not in by["heldout"]  # an abstention without the LLM reads no prompt
    assert by["heldout"]["false_abstain_share"] == 1.0 and by["tune"]["false_abstain_share"] == 0.0
