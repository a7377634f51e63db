"""Distractor articles for `rag eval --distractors`: real news articles indexed next to corpus/,
so the same questions are scored among an archive instead of among 5 articles.

The CSV has the columns `category,text` (the de-news fixture: 514 derStandard.at articles, whose
first sentence is a teaser; no title or date). Each row becomes a Document `de-news/NNNN` (row
number from 0) whose title is the first sentence and whose text is the rest.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from ..chunk import split_sentences
from ..types import Document

PREFIX = "de-news"


class DistractorsError(ValueError):
    """No usable distractor CSV (rag eval prints it and exits with 2)."""


def resolve(path: Path | str | None, settings) -> Path:
    """The CSV to use: `path`, else settings.distractors_csv; a clear error when there is none."""
    p = Path(path) if path else settings.distractors_csv
    if p is None:
        raise DistractorsError("no distractor articles: pass a CSV (rag eval --distractors PATH) or set "
                               "RAG_DISTRACTORS_CSV; the default ../shared/fixtures/de-news/articles.csv "
                               "next to the repository does not exist")
    p = Path(p)
    if not p.is_file():
        raise DistractorsError(f"distractor CSV {p} does not exist (set RAG_DISTRACTORS_CSV or pass "
                               f"rag eval --distractors PATH)")
    return p


def load_distractors(path: Path | str, limit: int | None = None) -> list[Document]:
    """The CSV's rows as Documents (the first `limit` rows when given); rows without text are skipped."""
    path = Path(path)
    docs = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise DistractorsError(f"{path}: expected a CSV with a `text` column (and optionally `category`), "
                                   f"found columns {reader.fieldnames}")
        for i, row in enumerate(reader):
            if limit is not None and len(docs) >= limit:
                break
            text = (row.get("text") or "").strip()
            if not text:
                continue
            spans = split_sentences(text)
            a, b = spans[0]
            title = text[a:b]
            rest = text[spans[1][0]:].strip() if len(spans) > 1 else text
            docs.append(Document(doc_id=f"{PREFIX}/{i:04d}", title=title, source=str(path), text=rest,
                                 sha256=hashlib.sha256(rest.encode("utf-8")).hexdigest()))
    return docs
