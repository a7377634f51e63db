"""`rag eval`: score the pipeline and its baselines on eval/questions.jsonl in one run.

    from rag.evaluation.runner import run_eval
    result = run_eval(settings, quick=True)          # retrieval only, no LLM
    result = run_eval(settings, limit=20)            # full answers for the first 20 questions

Quick mode retrieves for every question (a follow-up is searched as "previous user question +
question"); full mode answers every question with the real LLM through Pipeline.ask (a follow-up
is searched with the pipeline's condensed question) and the llama-index quickstart baseline
answers it too. This module builds the index, loops over the questions and assembles the result;
the questions live in rag.evaluation.questions, the scoring of one question in .scoring, the
checkpoint and SIGTERM handling in .resume, metrics in .metrics, baselines in .baselines, the
JSON + Markdown report + plots in .report. The index is built from the corpus in a scratch
directory with the embedded default store (Qdrant Edge, as `rag ingest` uses it, never a configured
server), so a running `rag serve` is not disturbed and the numbers do not depend on what else was ingested.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from ..config import ROOT, Settings
from ..load import discover, load_file
from ..store.index import reset_if_mismatched
from .compare import compare_beside
from .provenance import git_rev, load_avg
from .questions import load_questions, load_split, parse_baselines
from .resume import load_partial, on_sigterm, restore_sigterm, save_partial
from .scoring import FAITH_THRESHOLD, Scorer, summarize_systems

RESULTS = ROOT / "eval" / "results"
# `rag eval --distractors`: results sit beside the 5-article ones, compared with them
DISTRACTOR_RESULTS = RESULTS / "distractors"


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
    load_start = load_avg()
    git = git_rev()  # the code this process runs: edits made while it runs are not in it
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
        why = reset_if_mismatched(pipe.store, pipe.s, pipe.embedder)
        if why:
            print(f"{why} Rebuilding the eval index at {pipe.s.index_dir}.", file=sys.stderr)
    t0 = time.perf_counter()
    if own_pipe or pipe.store.count() == 0:
        pipe.ingest(settings.corpus_dir)
    if extra:
        print(f"indexing {len(extra)} distractor articles from {extra_src}", file=sys.stderr)
        pipe.ingest_documents(extra, show_bar=progress)
    ingest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    scorer = Scorer(settings, pipe, docs, quick, names, faith_threshold, extra)
    setup_s = time.perf_counter() - t0
    bar = tqdm(questions, desc=f"eval ({'quick' if quick else 'full'})", unit="q", disable=not progress,
               file=sys.stderr)
    mode = "quick" if quick else "full"
    partial = Path(out) / f".partial-{mode}.jsonl" if out is not None else None
    done = load_partial(partial, scorer) if (resume and partial) else set()
    if partial and not resume:
        partial.unlink(missing_ok=True)
    scorer.warm_up()  # first calls pay one-off costs (torch kernels, BM25 build): keep them out of p95
    t_loop = time.perf_counter()
    interrupted = False
    old_term = on_sigterm()
    try:
        for q in bar:
            if q["id"] in done:
                continue
            bar.set_postfix_str(q["id"], refresh=False)
            scorer.one(q)
            done.add(q["id"])
            if partial:
                save_partial(partial, scorer, q["id"])
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted: scoring the {len(done)} questions finished", file=sys.stderr)
    finally:
        restore_sigterm(old_term)
        bar.close()
    loop_s = time.perf_counter() - t_loop
    if own_pipe:
        pipe.store.close()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    # a question cut off half-way is dropped from every system
    questions = [q for q in questions if q["id"] in done]
    for name in scorer.records:
        scorer.records[name] = [r for r in scorer.records[name] if r["id"] in done]

    systems, ratios = summarize_systems(scorer.records, faith_threshold)
    result = {
        "mode": "quick" if quick else "full",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git": git,
        "settings": {k: getattr(settings, k) for k in (
            "embed_model", "embed_dim", "sentence_vectors_from", "clause_vectors", "clause_min_chars",
            "llm_model", "llm_backend", "top_k", "candidates", "evidence_chars",
            "chunk_max_chars", "chunk_overlap_sentences", "rrf_k", "abstain_min_evidence", "support_threshold",
            "max_tokens", "temperature", "repeat_penalty", "speculative", "spec_ngram_n",
            "spec_ngram_m")},
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
        "quickstart": {"nodes": scorer.qs.n_nodes, "top_k": scorer.qs.top_k, "build_s": scorer.qs.build_s}
        if scorer.qs else None,
        "timing": {"ingest_s": ingest_s, "setup_s": setup_s, "questions_s": loop_s,
                   "total_s": time.perf_counter() - t_start, "load_avg_start": load_start,
                   "load_avg_end": load_avg(), "cpus": os.cpu_count()},
        "systems": systems,
        "ratios": ratios,
    }
    if extra and beside is not None:
        result["beside"] = compare_beside(result, Path(beside))
    if out is not None and questions:  # an empty (interrupted) run does not overwrite the last result
        from .report import write_outputs
        write_outputs(result, Path(out))
        if partial and not interrupted:
            partial.unlink(missing_ok=True)
    return result


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
