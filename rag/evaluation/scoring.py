"""Scores one question for every system of a `rag eval` run: ours (retrieval only in quick mode,
Pipeline.ask in full mode) and each baseline, into one record per system (the fields that
rag.evaluation.metrics aggregates), and those records summarized per system at the end. Apart
from the runner, which only loops, times and writes."""
from __future__ import annotations

import re
import time

from .. import lang, markers
from .baselines import Quickstart, retrieval_baselines
from .gold import GoldIndex, n_gold
from .metrics import breakdown, key_facts_found, ratio, summarize
from .questions import retrieval_query

# Faithfulness proxy: cosine(sentence, cited passage) with the real embedder at or above this
# counts as supported. Measured on EmbeddingGemma: unrelated German passages ~0.19, the right
# passage ~0.46; the pipeline itself drops sentences below support_threshold (0.35, with a
# lexical bonus), so the eval bar sits higher to stay informative.
FAITH_THRESHOLD = 0.5
RANK_DEPTH = 10  # passages ranked per question (nDCG@10)
SYSTEM_ORDER = ("ours", "quickstart", "bm25", "dense")


def _faith(embedder, sentences: list[str], support: list[list[str]]) -> list[float]:
    """Per sentence: best cosine to the passages it relies on (0 when it relies on none)."""
    import numpy as np
    if not sentences:
        return []
    sv = embedder.embed_queries(sentences)
    texts = sorted({t for ts in support for t in ts})
    if not texts:
        return [0.0] * len(sentences)
    pv = embedder.embed_documents(texts)
    pos = {t: i for i, t in enumerate(texts)}
    sims = sv @ pv.T
    return [float(max((sims[i, pos[t]] for t in ts), default=0.0)) for i, ts in enumerate(support)]


class Scorer:
    """Holds every system's retriever (built once per run) and the records scored so far, per system."""

    def __init__(self, settings, pipeline, docs, quick, baselines, faith_threshold, extra_docs=()):
        self.s, self.pipe, self.quick, self.ft = settings, pipeline, quick, faith_threshold
        self.gold = GoldIndex({d.doc_id: d.text for d in docs})  # gold quotes live in the corpus
        self.baselines = baselines
        self.records: dict[str, list[dict]] = {"ours": []}
        self.rbase = retrieval_baselines(pipeline.store, pipeline.embedder, settings, baselines)
        for n in self.rbase:
            self.records[n] = []
        self.qs = None
        if "quickstart" in baselines:
            gen = None if quick else pipeline.generator
            # the quickstart indexes the distractors too: every system searches the same articles
            self.qs = Quickstart(list(docs) + list(extra_docs), pipeline.embedder, gen, context_window=settings.n_ctx,
                                 num_output=settings.max_tokens)
            self.records["quickstart"] = []

    def warm_up(self) -> None:
        self.pipe.retriever.retrieve("warm-up", RANK_DEPTH)
        for retr in self.rbase.values():
            retr.retrieve("warm-up", RANK_DEPTH)
        if self.qs is not None:
            self.qs.retrieve("warm-up", RANK_DEPTH)
        if not self.quick:
            self.pipe.warm()

    def _base(self, q: dict) -> dict:
        return {"id": q["id"], "lang": q["lang"], "type": q["type"], "answerable": bool(q["answerable"]),
                "n_gold": n_gold(q.get("gold") or []), "split": q.get("split", "tune")}

    def _ranking(self, rec: dict, q: dict, passages) -> None:
        rec["rels"] = [self.gold.matches(p, q.get("gold") or []) for p in passages[:RANK_DEPTH]]
        rec["chars5"] = sum(len(p.text) for p in passages[:5])
        rec["top"] = [f"{p.doc_id}:{p.start}-{p.end}" for p in passages[:5]]

    def _answer_fields(self, rec: dict, q: dict, text: str, abstained: bool | None, secs: float) -> None:
        """abstained: what the system reports; None for a system that cannot say (the quickstart),
        whose abstention is read from its text. Reading ours from its text would count a correct
        "the ministry said it had no information" as an abstention."""
        rec["answer"] = text[:1500]
        rec["abstained"] = bool(abstained) if abstained is not None else bool(
            markers.looks_like_abstention(text) or not text.strip())
        rec["facts_found"] = key_facts_found(text, q.get("key_facts") or []) if q["answerable"] else []
        if text.strip() and not rec["abstained"]:  # the user's language, quoted evidence aside
            rec["in_language"] = lang.dominant(re.sub(r"„[^“]*“", " ", markers.strip_markers(text)), q["lang"]) == q["lang"]
        rec["answer_s"] = secs

    def one(self, q: dict) -> None:
        pipe, hist = self.pipe, q.get("history") or []
        query = retrieval_query(q)
        rec = self._base(q)
        if self.quick:
            t0 = time.perf_counter()
            passages = pipe.retriever.retrieve(query, RANK_DEPTH)
            rec["retrieve_s"] = time.perf_counter() - t0
            self._ranking(rec, q, passages)
        else:
            t0 = time.perf_counter()
            try:
                ans = pipe.ask(q["question"], hist)
                err = None
            except Exception as e:  # a timeout on one question must not lose the run
                ans, err = None, f"{type(e).__name__}: {e}"
            secs = time.perf_counter() - t0
            if ans is None:
                rec.update(error=err)
                self._answer_fields(rec, q, "", True, secs)
                rec["cited_gold"], rec["faith"] = [], []
            else:
                query = ans.standalone_question or q["question"]
                rec["standalone"] = query
                rec["retrieve_s"] = ans.timings.get("retrieve_s")
                rec["timings"] = {k: round(v, 3) for k, v in ans.timings.items()}
                # an answer that fell back to quoting the evidence says it does not answer directly
                self._answer_fields(rec, q, ans.text, ans.abstained or bool(ans.check.get("fallback")),
                                    ans.timings.get("total_s", secs))
                gold = q.get("gold") or []
                # passage level (comparable with runs before evidence sentences) and sentence level
                rec["cited_gold"] = [self.gold.matches(c.passage, gold) for c in ans.citations]
                rec["cited_gold_sent"] = [self.gold.matches(c.evidence or c.passage, gold) for c in ans.citations]
                rec["check"] = dict(getattr(ans, "check", {}) or {})
                rec["evidence_chars"] = sum(len(e.text) for e in ans.evidence)
                rec["missing"] = list(ans.missing)
                by_num = ({e.number: e.text for e in ans.evidence} if ans.evidence
                          else {p.number: p.text for p in ans.passages})
                sents = [] if rec["abstained"] else markers.parse(ans.text)
                rec["faith"] = _faith(pipe.embedder, [s for s, _ in sents],
                                      [[by_num[n] for n in nums if n in by_num] for _, nums in sents])
            self._ranking(rec, q, pipe.retriever.retrieve(query, RANK_DEPTH))
        self.records["ours"].append(rec)

        for name, retr in self.rbase.items():
            r = self._base(q)
            t0 = time.perf_counter()
            passages = retr.retrieve(query, RANK_DEPTH)
            r["retrieve_s"] = time.perf_counter() - t0
            self._ranking(r, q, passages)
            self.records[name].append(r)

        if self.qs is not None:
            # the quickstart has no chat history: it always gets the quick-mode search string
            qq = retrieval_query(q)
            r = self._base(q)
            t0 = time.perf_counter()
            passages = self.qs.retrieve(qq, RANK_DEPTH)
            r["retrieve_s"] = time.perf_counter() - t0
            self._ranking(r, q, passages)
            if not self.quick:
                try:
                    text, sources, secs = self.qs.answer(qq)
                except Exception as e:  # noqa: BLE001 - recorded, the run goes on
                    text, sources, secs, r["error"] = "", [], 0.0, f"{type(e).__name__}: {e}"
                self._answer_fields(r, q, text, None, secs)
                r["cited_gold"] = None  # no inline citations: citation metrics do not apply
                sents = [] if r["abstained"] else markers.parse(text)
                r["faith"] = _faith(pipe.embedder, [s for s, _ in sents], [[p.text for p in sources]] * len(sents))
            self.records["quickstart"].append(r)


def summarize_systems(records: dict[str, list[dict]], faith_threshold: float) -> tuple[dict, dict]:
    """(per system: its kind, summary, breakdowns and records; ours / each baseline per metric)."""
    systems = {}
    for name in SYSTEM_ORDER:
        recs = records.get(name)
        if recs is None:
            continue
        answers = any(r.get("answer") is not None for r in recs)
        systems[name] = {"kind": "answers" if answers else "retrieval",
                         "summary": summarize(recs, faith_threshold),
                         "by_type": breakdown(recs, "type", faith_threshold),
                         "by_lang": breakdown(recs, "lang", faith_threshold),
                         "by_split": breakdown(recs, "split", faith_threshold),
                         "records": recs}
    ours = systems["ours"]["summary"]
    ratios = {n: {k: ratio(v, systems[n]["summary"].get(k)) for k, v in ours.items()
                  if isinstance(v, (int, float)) and k not in ("n", "n_answerable")}
              for n in systems if n != "ours"}
    return systems, ratios
