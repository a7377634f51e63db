"""`rag` command line: parses arguments and calls the library; nothing else lives here."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import Settings, load_settings
from .errors import RagError

EPILOG = """examples:
  rag fetch-models                 download + verify the default models (idempotent)
  rag ingest                       index ./corpus incrementally
  rag ingest page.pdf              add one file (.txt .md .html .pdf .docx)
  rag ingest https://www.dw.com/en/...   fetch a page and index it with its URL as source
  rag search "Lin Jian"            show the passages a question retrieves
  rag search "Lin Jian" --since 2024-10-01 --until 2024-10-31   only articles of that month
  rag ask "What did China say about the deployment?"
  rag eval --quick                 retrieval metrics on the eval set
  rag eval --quick --distractors   the same among the 514 de-news articles (eval/results/distractors)
  rag serve                        start the chat at http://127.0.0.1:7860
settings come from RAG_* environment variables (see README), e.g. RAG_TOP_K=8;
OLLAMA_HOST switches answering to an Ollama server, QDRANT_URL the index to a Qdrant server."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Cited question answering over news articles, "
                                "running locally.", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch-models", help="download, join and checksum the model files")
    f.add_argument("names", nargs="*", help="models (default: the embedder and the LLM in use)")
    f.add_argument("--verify", action="store_true", help="re-hash files already present")
    i = sub.add_parser("ingest", help="add/update/remove articles in the index (incremental)")
    # a str, not a Path: Path("https://x") would fold the // of a URL
    i.add_argument("path", nargs="?", help="file, folder or http(s) URL (default: corpus/)")
    i.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    i.add_argument("--optimize", action=argparse.BooleanOptionalAction, default=None,
                   help="Edge store: build the HNSW search index afterwards (minutes and GBs at 10,000 "
                        "articles; approximate), or not; default: once the index holds "
                        "RAG_EDGE_OPTIMIZE_MIN_POINTS passages (0: never)")
    s = sub.add_parser("search", help="retrieve passages for a question")
    s.add_argument("question")
    s.add_argument("-k", "--top-k", type=int, default=5)
    s.add_argument("--json", action="store_true")
    _dates(s)
    a = sub.add_parser("ask", help="answer a question with citations")
    a.add_argument("question")
    a.add_argument("--json", action="store_true", help="print the Answer as JSON")
    a.add_argument("--no-stream", action="store_true")
    _dates(a)
    e = sub.add_parser(
        "eval", help="score the pipeline on eval/questions.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Scores retrieval (hit@1/5, MRR, nDCG@10), citations, key facts, abstention, "
                    "faithfulness and latency for this pipeline and the baselines side by side, and "
                    "compares with the previous run of the same mode.",
        epilog="outputs (in --out): <mode>.json, report-<mode>.md (+ report.md, latest.json), plots/\n"
               "time on 2 CPU cores: --quick ~1 min; full 36 min with all baselines (measured), about\n"
               "half with --baselines none. Ctrl-C stops early and still scores the finished\n"
               "questions; --resume continues a stopped run.")
    e.add_argument("--quick", action="store_true", help="retrieval metrics only (no LLM)")
    e.add_argument("--limit", type=int, help="only the first N questions")
    e.add_argument("--split", choices=["all", "tune", "heldout"], default="all",
                   help="eval/questions.jsonl (tune), eval/heldout.jsonl (heldout, never tuned on) or both "
                        "(default; reported apart)")
    e.add_argument("--baselines", default="all",
                   help="comma list of bm25,dense,quickstart, 'all' (default) or 'none'")
    e.add_argument("--resume", action="store_true", help="continue the last stopped run of this mode")
    e.add_argument("--distractors", nargs="?", const="", metavar="CSV",
                   help="also index these articles (columns category,text; default RAG_DISTRACTORS_CSV, "
                        "else ../shared/fixtures/de-news/articles.csv) next to corpus/ and score the same "
                        "questions among them; results go to eval/results/distractors/ beside the 5-article ones")
    e.add_argument("--distractors-limit", type=int, metavar="N", help="only the first N distractor articles")
    e.add_argument("--out", type=Path, default=None,
                   help="results folder (default: eval/results, with --distractors eval/results/distractors)")
    e.add_argument("--index-dir", type=Path, default=None, metavar="DIR",
                   help="build the eval index here and keep it: the next run with the same settings only "
                        "indexes what is new (the 514 distractors took 390 s on 2 cores); use one folder per "
                        "article set (with and without --distractors); default: a "
                        "temporary folder, removed afterwards")
    sv = sub.add_parser("serve", help="start the Gradio chat")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sub.add_parser("articles", help="list indexed articles")
    return p


def _dates(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only articles published on or after this date")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="only articles published on or before this date")


def _label(p) -> str:
    from .prompt import source_label
    label = source_label(p)
    return f" — {label}" if label else ""


def _print_passages(passages) -> None:
    for i, p in enumerate(passages, 1):
        print(f"[{i}] {p.title}{_label(p)}  ({p.doc_id} {p.start}-{p.end})  score={p.score:.4f} "
              f"dense={p.dense_score:.3f} bm25={p.lexical_score:.2f}")
        print("    " + p.text.replace("\n", " ")[:300])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args, load_settings())
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _run(args, settings: Settings) -> int:
    if args.cmd == "fetch-models":
        from . import models
        names = args.names or [settings.embed_model, settings.llm_model]
        for n in names:
            models.fetch(settings.model_dir, n)
            if args.verify and not models.is_ready(settings.model_dir, n, full_check=True):
                raise RagError(f"{n}: checksum mismatch; delete it and run `rag fetch-models {n}`")
        return 0
    if args.cmd == "serve":
        from .ui.app import launch
        launch(settings, host=args.host, port=args.port)
        return 0
    if args.cmd == "eval":
        from .evaluation.runner import main as eval_main
        return eval_main(args, settings)

    from .pipeline import Pipeline
    pipe = Pipeline(settings, show_progress=True)
    if args.cmd == "ingest":
        rep = pipe.ingest(args.path, show_bar=True, rebuild=args.rebuild, optimize=args.optimize)
        for doc, why in rep.failed.items():
            print(f"skipped {doc}: {why}", file=sys.stderr)
        for doc, other in rep.duplicates.items():
            print(f"skipped {doc}: same article as {other}", file=sys.stderr)
        print(rep.summary())
        return 1 if rep.failed and not (rep.added or rep.updated or rep.unchanged) else 0
    if args.cmd == "articles":
        for a in pipe.articles():
            print(f"{a['doc_id']}\t{a['chunks']} chunks\t{a['date'] or '-'}\t{a['site'] or '-'}\t{a['title']}")
        return 0
    if args.cmd == "search":
        passages = pipe.retrieve(args.question, args.top_k, since=args.since, until=args.until)
        if args.json:
            print(json.dumps([p.__dict__ for p in passages], ensure_ascii=False, indent=1))
        else:
            _print_passages(passages)
        return 0
    if args.cmd == "ask":
        stream = pipe.ask_stream(args.question, since=args.since, until=args.until)
        for piece in stream:
            if not (args.json or args.no_stream):
                print(piece, end="", flush=True)
        ans = stream.answer
        if args.json:
            from .ui.format import answer_to_dict
            print(json.dumps(answer_to_dict(ans), ensure_ascii=False, indent=1))
            return 0
        if not args.no_stream:
            print("\n" + "-" * 60)
        print(ans.text)
        for c in ans.citations:
            print(f"  [{c.number}] {c.title}{_label(c.passage)} ({c.doc_id} {c.start}-{c.end}, "
                  f"support {c.support:.2f})")
            print("      " + c.quote.replace("\n", " ")[:240])
        t = ans.timings
        print(f"({ans.backend or 'no LLM call'}; total {t.get('total_s', 0):.1f}s, "
              f"first token {t.get('ttft_s', 0):.1f}s)", file=sys.stderr)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
