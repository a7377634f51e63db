"""`rag eval`: score the pipeline and its baselines on eval/questions.jsonl in one run.

    from rag.evaluation.runner import run_eval
    result = run_eval(settings, quick=True)          # retrieval only, no LLM
    result = run_eval(settings, limit=20)            # full answers for the first 20 questions

Quick mode retrieves for every question (a follow-up is searched as "previous user question +
question"); full mode answers every question with the real LLM through Pipeline.ask (a follow-up
is searched with the pipeline's condensed question) and the llama-index quickstart baseline
answers it too. Metrics live in rag.evaluation.metrics, baselines in rag.evaluation.baselines, the JSON +
Markdown report + plots in rag.evaluation.report. The index is built from the corpus in a scratch
directory with the embedded default store (Qdrant Edge, as `rag ingest` uses it, never a configured
server), so a running `rag serve` is not disturbed and the numbers do not depend on what else was ingested.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from .. import cite
from ..config import ROOT, Settings
from .baselines import Quickstart, retrieval_baselines
from .metrics import GoldIndex, breakdown, key_facts_found, ratio, summarize
from ..load import discover, load_file

QUESTIONS = ROOT / "eval" / "questions.jsonl"
# Written before the evidence-first answer path and never looked at while tuning it: reported apart
HELDOUT = ROOT / "eval" / "heldout.jsonl"
SPLITS = {"tune": QUESTIONS, "heldout": HELDOUT}
RESULTS = ROOT / "eval" / "results"
# `rag eval --distractors`: results sit beside the 5-article ones, compared with them
DISTRACTOR_RESULTS = RESULTS / "distractors"
ALL_BASELINES = ("bm25", "dense", "quickstart")
# Faithfulness proxy: cosine(sentence, cited passage) with the real embedder at or above this
# counts as supported. Measured on EmbeddingGemma: unrelated German passages ~0.19, the right
# passage ~0.46; the pipeline itself drops sentences below support_threshold (0.35, with a
# lexical bonus), so the eval bar sits higher to stay informative.
FAITH_THRESHOLD = 0.5
RANK_DEPTH = 10  # passages ranked per question (nDCG@10)
SYSTEM_ORDER = ("ours", "quickstart", "bm25", "dense")


def load_questions(path: Path = QUESTIONS, limit: int | None = None, split: str | None = None) -> list[dict]:
    qs = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in qs:
        q.setdefault("split", split or ("heldout" if Path(path) == HELDOUT else "tune"))
    return qs[:limit] if limit else qs


def load_split(split: str = "all", limit: int | None = None) -> list[dict]:
    """'tune' (the questions the pipeline was tuned on), 'heldout', or 'all' (both, tune first)."""
    if split not in (*SPLITS, "all"):
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)} or 'all'")
    names = list(SPLITS) if split == "all" else [split]
    qs = [q for n in names if SPLITS[n].exists() for q in load_questions(SPLITS[n], split=n)]
    return qs[:limit] if limit else qs


def parse_baselines(spec: str | list | tuple | None) -> list[str]:
    if spec is None or spec == "all":
        return list(ALL_BASELINES)
    items = spec if isinstance(spec, (list, tuple)) else str(spec).split(",")
    names = [s.strip().lower() for s in items if s.strip() and s.strip().lower() != "none"]
    bad = [n for n in names if n not in ALL_BASELINES]
    if bad:
        raise ValueError(f"unknown baseline(s) {bad}; choose from {', '.join(ALL_BASELINES)} or 'none'")
    return names


def retrieval_query(q: dict) -> str:
    """Quick-mode search string: a follow-up is prefixed by the previous user question."""
    last = next((t["content"] for t in reversed(q.get("history") or []) if t.get("role") == "user"), "")
    return f"{last} {q['question']}".strip()


def _git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "rag", "prompts"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + ("+dirty" if dirty else "") if rev else "unknown"
    except Exception:  # no git: the result is still valid
        return "unknown"


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)  # other work on the machine skews latencies
    except (OSError, AttributeError):
        return None


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


class _Runner:
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
                "n_gold": len(q.get("gold") or []), "split": q.get("split", "tune")}

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
            cite.looks_like_abstention(text) or not text.strip())
        rec["facts_found"] = key_facts_found(text, q.get("key_facts") or []) if q["answerable"] else []
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
                sents = [] if rec["abstained"] else cite.parse(ans.text)
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
                sents = [] if r["abstained"] else cite.parse(text)
                r["faith"] = _faith(pipe.embedder, [s for s, _ in sents], [[p.text for p in sources]] * len(sents))
            self.records["quickstart"].append(r)


def run_eval(settings: Settings | None = None, quick: bool = False, limit: int | None = None,
             baselines="all", out: Path | str | None = RESULTS, *, pipeline=None,
             questions_path: Path | str | None = None, split: str = "all", faith_threshold: float = FAITH_THRESHOLD,
             progress: bool = True, resume: bool = False, distractors: Path | str | None = None,
             distractors_limit: int | None = None, beside: Path | str | None = None,
             index_dir: Path | str | None = None) -> dict:
    """Run the evaluation; returns the result dict (also written to `out` unless out is None).

    distractors: a CSV of articles (rag.evaluation.distractors) indexed next to the corpus; the
    questions and their gold stay the corpus', so the scores say how well the system finds them
    among an archive. With `beside` (a results folder: `rag eval` passes eval/results) the result
    is compared with the last 5-article run of the same mode there, over the questions both share.

    Each finished question is appended to `out/.partial-<mode>.jsonl`; with resume=True a run picks
    up the questions a killed run finished. Ctrl-C or SIGTERM stops the run early and still writes
    the result for the questions done (marked `interrupted`)."""
    from tqdm import tqdm

    from ..pipeline import Pipeline

    settings = settings or Settings()
    t_start = time.perf_counter()
    load_start = _load()
    names = parse_baselines(baselines)
    questions = load_questions(questions_path, limit) if questions_path else load_split(split, limit)
    docs = [load_file(p, settings.corpus_dir, settings.max_article_chars) for p in discover(settings.corpus_dir)]
    extra, extra_src = [], None
    if distractors is not None:
        from .distractors import load_distractors
        extra_src = str(distractors)
        extra = load_distractors(distractors, distractors_limit)
    own_pipe = pipeline is None
    # index_dir: kept between runs (the distractor index takes half an hour to build); else a scratch
    # folder removed at the end
    scratch = Path(tempfile.mkdtemp(prefix="rag-eval-")) if own_pipe and index_dir is None else None
    if own_pipe:  # measured on the store users get, not a test double; a QDRANT_URL is left alone
        settings = settings.model_copy(update={"index_dir": Path(index_dir or scratch), "qdrant_url": None})
    pipe = pipeline or Pipeline(settings)
    if own_pipe and index_dir is not None:
        _reuse(pipe)
    t0 = time.perf_counter()
    if own_pipe or pipe.store.count() == 0:
        pipe.ingest(settings.corpus_dir)
    if extra:
        print(f"indexing {len(extra)} distractor articles from {extra_src}", file=sys.stderr)
        pipe.ingest_documents(extra, show_bar=progress)
    ingest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    runner = _Runner(settings, pipe, docs, quick, names, faith_threshold, extra)
    setup_s = time.perf_counter() - t0
    bar = tqdm(questions, desc=f"eval ({'quick' if quick else 'full'})", unit="q", disable=not progress,
               file=sys.stderr)
    mode = "quick" if quick else "full"
    partial = Path(out) / f".partial-{mode}.jsonl" if out is not None else None
    done = _load_partial(partial, runner) if (resume and partial) else set()
    if partial and not resume:
        partial.unlink(missing_ok=True)
    runner.warm_up()  # first calls pay one-off costs (torch kernels, BM25 build): keep them out of p95
    t_loop = time.perf_counter()
    interrupted = False
    old_term = _on_sigterm()
    try:
        for q in bar:
            if q["id"] in done:
                continue
            bar.set_postfix_str(q["id"], refresh=False)
            runner.one(q)
            done.add(q["id"])
            if partial:
                _save_partial(partial, runner, q["id"])
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted: scoring the {len(done)} questions finished", file=sys.stderr)
    finally:
        _restore_sigterm(old_term)
        bar.close()
    loop_s = time.perf_counter() - t_loop
    if own_pipe:
        pipe.store.close()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    # a question cut off half-way is dropped from every system
    questions = [q for q in questions if q["id"] in done]
    for name in runner.records:
        runner.records[name] = [r for r in runner.records[name] if r["id"] in done]

    systems = {}
    for name in SYSTEM_ORDER:
        recs = runner.records.get(name)
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
    result = {
        "mode": "quick" if quick else "full",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git": _git_rev(),
        "settings": {k: getattr(settings, k) for k in (
            "embed_model", "embed_dim", "llm_model", "llm_backend", "top_k", "candidates", "evidence_chars",
            "chunk_max_chars", "chunk_overlap_sentences", "rrf_k", "abstain_min_evidence", "support_threshold",
            "max_tokens", "temperature")},
        "store": type(pipe.store).__name__,
        "llm": None if quick else getattr(pipe._generator, "name", None),
        "faith_threshold": faith_threshold,
        "interrupted": interrupted,
        "resumed": bool(resume and partial and partial.exists()),
        "n_questions": len(questions),
        "limited": bool(limit),
        "split": split if not questions_path else str(questions_path),
        "distractors": len(extra),
        "distractors_source": extra_src,
        "distractors_limit": distractors_limit,
        "corpus_articles": len(docs),
        "question_ids": [q["id"] for q in questions],
        "baselines": names,
        "quickstart": {"nodes": runner.qs.n_nodes, "top_k": runner.qs.top_k, "build_s": runner.qs.build_s}
        if runner.qs else None,
        "timing": {"ingest_s": ingest_s, "setup_s": setup_s, "questions_s": loop_s,
                   "total_s": time.perf_counter() - t_start, "load_avg_start": load_start,
                   "load_avg_end": _load(), "cpus": os.cpu_count()},
        "systems": systems,
        "ratios": ratios,
    }
    if extra and beside is not None:
        result["beside"] = _beside(result, Path(beside))
    if out is not None and questions:  # an empty (interrupted) run does not overwrite the last result
        from .report import write_outputs
        write_outputs(result, Path(out))
        if partial and not interrupted:
            partial.unlink(missing_ok=True)
    return result


def _reuse(pipe) -> None:
    """A kept eval index built with other settings (model, chunking, layout) is rebuilt, not mixed."""
    from ..errors import IndexMismatchError
    from ..ingest import check_meta
    try:
        check_meta(pipe.store, pipe.s, pipe.embedder)
    except IndexMismatchError as e:
        print(f"{e} Rebuilding the eval index at {pipe.s.index_dir}.", file=sys.stderr)
        pipe.store.reset()


def _beside(result: dict, folder: Path) -> dict | None:
    """This run against the last 5-article run of the same mode in `folder`, over shared questions."""
    from .report import compare
    path = folder / f"{result['mode']}.json"
    try:
        prev = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if prev.get("distractors"):
        return None
    cmp_ = compare(result, prev)
    if cmp_:
        cmp_["path"] = str(path)
    return cmp_


def _on_sigterm():
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(old) -> None:
    import signal
    import threading
    if old is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, old)


def _save_partial(path: Path, runner, qid: str) -> None:
    recs = {n: next(r for r in rs if r["id"] == qid) for n, rs in runner.records.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": qid, "records": recs}, ensure_ascii=False) + "\n")


def _load_partial(path: Path, runner) -> set[str]:
    done: set[str] = set()
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:  # a line cut short by the kill
            continue
        if set(item["records"]) != set(runner.records):
            continue  # other baselines: not comparable
        for n, r in item["records"].items():
            runner.records[n].append(r)
        done.add(item["id"])
    return done


def main(args, settings: Settings) -> int:
    """Entry point of `rag eval` (rag.cli parses the arguments)."""
    from .report import console_table
    dist = getattr(args, "distractors", None)
    try:
        if dist is not None:  # "" (--distractors without a path): settings.distractors_csv
            from .distractors import resolve
            dist = resolve(dist or None, settings)
        out = args.out if getattr(args, "out", None) else (DISTRACTOR_RESULTS if dist else RESULTS)
        res = run_eval(settings, quick=bool(args.quick), limit=args.limit, baselines=args.baselines, out=out,
                       split=getattr(args, "split", None) or "all",
                       faith_threshold=getattr(args, "faith_threshold", None) or FAITH_THRESHOLD,
                       resume=bool(getattr(args, "resume", False)), distractors=dist,
                       distractors_limit=getattr(args, "distractors_limit", None), beside=RESULTS,
                       index_dir=getattr(args, "index_dir", None))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if res["n_questions"] == 0:
        print("no question finished", file=sys.stderr)
        return 130 if res["interrupted"] else 1
    print(console_table(res))
    print(f"\n{res['n_questions']} questions in {res['timing']['total_s']:.0f}s; "
          f"report: {Path(out) / 'report.md'}")
    return 130 if res["interrupted"] else 0
