"""Metric functions of the evaluation suite: pure functions over plain data, no models.

Per question and system the scorer (rag.evaluation.scoring) builds one *record* (a dict); `summarize`
turns a list of records into the aggregate metrics, so aggregates can be recomputed on any
subset (per type, per language, or the question ids two runs share).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from .gold import norm_ws

def first_rank(rels: Sequence[Sequence[int]]) -> int | None:
    """1-based rank of the first gold passage, None when none was retrieved."""
    return next((i + 1 for i, r in enumerate(rels) if r), None)


def hit_at(rels: Sequence[Sequence[int]], k: int) -> float:
    return float(any(rels[:k]))


def reciprocal_rank(rels: Sequence[Sequence[int]]) -> float:
    r = first_rank(rels)
    return 1.0 / r if r else 0.0


def ndcg_at(rels: Sequence[Sequence[int]], n_gold: int, k: int = 10) -> float:
    """nDCG@k with binary gain per gold quote: a passage earns gain for each gold quote it is the
    first to cover (a second chunk covering the same quote earns nothing), so the ideal ranking is
    one passage per gold quote at the top. Independent of chunk size, so systems compare."""
    if n_gold <= 0:
        return 0.0
    seen: set[int] = set()
    dcg = 0.0
    for i, r in enumerate(rels[:k]):
        new = [g for g in r if g not in seen]
        if new:
            seen.update(new)
            dcg += len(new) / math.log2(i + 2)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(n_gold, k)))
    return dcg / ideal


def gold_recall_at(rels: Sequence[Sequence[int]], n_gold: int, k: int) -> float:
    """Share of the gold quotes covered by the top k passages."""
    if n_gold <= 0:
        return 0.0
    return len({g for r in rels[:k] for g in r}) / n_gold


# -- answers ----------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return norm_ws(text).casefold()


def key_facts_found(answer: str, key_facts: Sequence[Sequence[str]]) -> list[bool]:
    """Per key fact: does the answer contain (case-insensitively) at least one alternative?"""
    a = _fold(answer)
    return [any(_fold(alt) in a for alt in alts if alt.strip()) for alts in key_facts]


def citation_scores(cited_gold: Sequence[Sequence[int]], n_gold: int) -> tuple[int, int, float]:
    """cited_gold: per citation, the gold quotes its passage covers. Returns
    (correct citations, citations, recall = share of gold quotes some citation covers)."""
    correct = sum(1 for c in cited_gold if c)
    covered = {g for c in cited_gold for g in c}
    recall = len(covered) / n_gold if n_gold else 0.0
    return correct, len(cited_gold), recall


def abstention_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | int | None]:
    """pairs: (should_abstain, did_abstain). Positive class = should abstain."""
    tp = fp = fn = tn = 0
    for should, did in pairs:
        if should and did:
            tp += 1
        elif did:
            fp += 1
        elif should:
            fn += 1
        else:
            tn += 1
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * prec * rec / (prec + rec) if prec and rec else (0.0 if prec is not None and rec is not None else None)
    return {"precision": prec, "recall": rec, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def percentile(values: Sequence[float], q: float) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.percentile(vals, q)) if vals else None


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(sum(vals) / len(vals)) if vals else None


# -- aggregation ------------------------------------------------------------------------------

# metrics where lower is better (latency); everything else: higher is better
LOWER_IS_BETTER = {"retrieve_p50_s", "retrieve_p95_s", "answer_p50_s", "answer_p95_s", "ttft_p50_s",
                   "first_word_p50_s", "prompt_tokens_p50", "false_abstain_share"}


def summarize(records: Sequence[dict], faith_threshold: float) -> dict:
    """Aggregate metrics from per-question records of one system (see rag.evaluation.scoring for fields).
    Retrieval, citation and key-fact metrics are over answerable questions; abstention over all."""
    ans = [r for r in records if r["answerable"]]
    out: dict = {"n": len(records), "n_answerable": len(ans)}
    ret = [r for r in ans if r.get("rels") is not None]
    if ret:
        out["hit@1"] = _mean(hit_at(r["rels"], 1) for r in ret)
        out["hit@5"] = _mean(hit_at(r["rels"], 5) for r in ret)
        out["mrr"] = _mean(reciprocal_rank(r["rels"]) for r in ret)
        out["ndcg@10"] = _mean(ndcg_at(r["rels"], r["n_gold"], 10) for r in ret)
        out["gold_recall@5"] = _mean(gold_recall_at(r["rels"], r["n_gold"], 5) for r in ret)
        out["context_chars@5"] = _mean(r.get("chars5") for r in ret)
    lat = [r.get("retrieve_s") for r in records if r.get("retrieve_s") is not None]
    if lat:
        out["retrieve_p50_s"] = percentile(lat, 50)
        out["retrieve_p95_s"] = percentile(lat, 95)
    answered = [r for r in records if r.get("answer") is not None]
    if not answered:
        return out
    ans_a = [r for r in answered if r["answerable"]]
    if ans_a:
        found = [r["facts_found"] for r in ans_a if r["facts_found"]]
        out["key_fact_acc"] = _mean(float(all(f)) for f in found)
        out["key_fact_share"] = _mean(sum(f) / len(f) for f in found)
    cit = [r for r in ans_a if r.get("cited_gold") is not None]
    if cit:
        correct = sum(citation_scores(r["cited_gold"], r["n_gold"])[0] for r in cit)
        total = sum(len(r["cited_gold"]) for r in cit)
        out["citation_precision"] = correct / total if total else None
        out["citation_recall"] = _mean(citation_scores(r["cited_gold"], r["n_gold"])[2] for r in cit)
    cit_s = [r for r in ans_a if r.get("cited_gold_sent") is not None]
    if cit_s:  # the cited sentence itself overlaps a gold quote (stricter than its passage)
        total = sum(len(r["cited_gold_sent"]) for r in cit_s)
        out["citation_precision_sent"] = (sum(citation_scores(r["cited_gold_sent"], r["n_gold"])[0]
                                              for r in cit_s) / total) if total else None
        out["citation_recall_sent"] = _mean(citation_scores(r["cited_gold_sent"], r["n_gold"])[2] for r in cit_s)
    checks = [r["check"] for r in answered if r.get("check")]
    if checks:  # how often the exact check of figures and names changed an answer
        for k in ("recited", "attached", "dropped", "quoted", "added", "language", "fallback", "figureless", "repeated",
                  "measure", "speaker", "topic", "trimmed"):
            out[f"check_{k}"] = sum(c.get(k, 0) for c in checks)
        out["check_sentences"] = sum(c.get("sentences", 0) for c in checks)
    ab = abstention_scores((not r["answerable"], bool(r["abstained"])) for r in answered)
    out["abstain_precision"], out["abstain_recall"], out["abstain_f1"] = ab["precision"], ab["recall"], ab["f1"]
    out["abstain_counts"] = {k: ab[k] for k in ("tp", "fp", "fn", "tn")}
    if ans_a:  # answerable questions the system refused: the cost of abstaining too readily
        out["false_abstain_share"] = ab["fp"] / len(ans_a)
    langs = [r["in_language"] for r in answered if r.get("in_language") is not None]
    if langs:  # answers written in the question's language (evidence quoted in German aside)
        out["answer_in_language"] = _mean(float(x) for x in langs)
    sims = [s for r in answered if not r["abstained"] for s in (r.get("faith") or [])]
    if sims:
        out["faithfulness_mean"] = _mean(sims)
        out["faithfulness_share"] = _mean(float(s >= faith_threshold) for s in sims)
        out["faithfulness_sentences"] = len(sims)
    # what llama.cpp reported per answer: prompt tokens read (the cache excluded), its prompt-reading
    # rate (the reference rate for every timing: machines here differ 3-4x) and the first-token time
    tim = [r.get("timings") or {} for r in answered]
    for key, name in (("prompt_tokens", "prompt_tokens_p50"), ("prompt_tps", "prompt_tps_p50"),
                      ("ttft_s", "ttft_p50_s"), ("first_word_s", "first_word_p50_s")):
        vals = [t[key] for t in tim if t.get(key)]
        if vals:
            out[name] = percentile(vals, 50)
    alat = [r.get("answer_s") for r in answered if r.get("answer_s") is not None]
    if alat:
        out["answer_p50_s"] = percentile(alat, 50)
        out["answer_p95_s"] = percentile(alat, 95)
    return out


def breakdown(records: Sequence[dict], key: str, faith_threshold: float) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(str(r[key]), []).append(r)
    return {g: summarize(rs, faith_threshold) for g, rs in sorted(groups.items())}


def ratio(ours: float | None, base: float | None) -> float | None:
    if ours is None or base is None or base == 0:
        return None
    return ours / base
