"""The questions `rag eval` asks: the tuned-on and held-out files, the baselines asked beside the
pipeline, and the search string a question stands for. Kept apart from the runner so tests and
tools can read the question set without building a pipeline."""
from __future__ import annotations

import json
from pathlib import Path

from ..config import ROOT

QUESTIONS = ROOT / "eval" / "questions.jsonl"
# Written before the evidence-first answer path and never looked at while tuning it: reported apart
HELDOUT = ROOT / "eval" / "heldout.jsonl"
SPLITS = {"tune": QUESTIONS, "heldout": HELDOUT}
ALL_BASELINES = ("bm25", "dense", "quickstart")


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
