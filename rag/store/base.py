"""What both store backends share: point ids, the passage payload, unit vectors, date bounds and
the one message for a failed write."""
from __future__ import annotations

import datetime as dt
import errno
import uuid

import numpy as np

from ..errors import IndexLockedError, InputError, RagError
from ..load.text import date_ord
from ..types import Chunk, Passage

_NS = uuid.UUID("6f1c2a4e-8f0b-4a59-9d4e-7a7f3c0b5e21")
_PAYLOAD = ["chunk_id", "doc_id", "title", "source", "text", "start", "end", "date", "site", "url"]
STATE_FIELDS = ["doc_id", "doc_sha256", "n_chunks", "title", "source", "date", "site", "url"]  # doc_states()


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1.0, n)


def _pid(key: str) -> str:
    return str(uuid.uuid5(_NS, key))


def sentence_date(c: Chunk) -> dict:
    """The article's date as a day number (date_ord), for integer range filters; {} when undated."""
    return {"date_ord": date_ord(c.date)} if c.date else {}


def chunk_payload(c: Chunk) -> dict:
    return {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title, "source": c.source, "text": c.text,
            "start": c.start, "end": c.end, "index": c.index, "n_chunks": c.n_chunks, "doc_sha256": c.doc_sha256,
            "date": c.date, "site": c.site, "url": c.url, **sentence_date(c)}


def _span_payload(text: str, start: int, spans, i: int) -> dict:
    """The i-th sentence of a passage (its text, beginning at article offset `start`): the
    sentence's article offsets and its text, sliced from the passage."""
    if i >= len(spans):
        return {}
    a, b = spans[i]
    return {"start": a, "end": b, "text": text[a - start:b - start]}


def fold_clauses(rows: list[tuple[dict, np.ndarray]]) -> list[tuple[dict, np.ndarray]]:
    """A passage's rows are its sentences and the clauses of its long sentences (spans inside
    a sentence's, see chunk.clause_spans): each sentence comes back once, its clauses' vectors
    under "clauses", so a caller scores the sentence by its best part and never quotes half of one."""
    by_chunk: dict[str, list[int]] = {}
    for i, (pl, _) in enumerate(rows):
        by_chunk.setdefault(pl.get("chunk_id", ""), []).append(i)
    owner: dict[int, int] = {}
    for ix in by_chunk.values():
        span = {i: (rows[i][0].get("start", 0), rows[i][0].get("end", 0)) for i in ix}
        for i in ix:
            a, b = span[i]
            outer = [j for j in ix if span[j] != (a, b) and span[j][0] <= a and b <= span[j][1]]
            if outer:
                owner[i] = max(outer, key=lambda j: span[j][0] - span[j][1])  # the tightest: the sentence
    parts: dict[int, list[np.ndarray]] = {}
    for i, j in owner.items():
        parts.setdefault(j, []).append(rows[i][1])
    return [({**pl, "clauses": np.stack(parts[i])} if i in parts else pl, v)
            for i, (pl, v) in enumerate(rows) if i not in owner]


def _passage(payload: dict, score: float = 0.0) -> Passage:
    return Passage(chunk_id=payload["chunk_id"], doc_id=payload["doc_id"], title=payload["title"],
                   text=payload["text"], start=payload["start"], end=payload["end"],
                   source=payload.get("source", ""), score=score, dense_score=score,
                   date=payload.get("date", ""), site=payload.get("site", ""), url=payload.get("url", ""))


def date_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """Inclusive ISO dates ("YYYY-MM-DD"); anything else is the caller's mistake, said plainly."""
    for name, d in (("since", since), ("until", until)):
        if d is not None:
            try:
                dt.date.fromisoformat(d)
            except (TypeError, ValueError):
                raise InputError(f"{name}={d!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-11-05.") from None
    return since, until


def in_range(date: str, since: str | None, until: str | None) -> bool:
    """ISO dates compare as strings; an undated passage is outside every range."""
    if since is None and until is None:
        return True
    return bool(date) and (since is None or date >= since) and (until is None or date <= until)


def write_error(e: Exception, location: str) -> RagError:
    msg = str(e)
    if getattr(e, "errno", None) == errno.ENOSPC or "full" in msg.lower() or "os error 28" in msg:
        what, fix = "disk full", "Free some space (or set RAG_INDEX_DIR to another disk)"
    else:
        what, fix = f"cannot write ({getattr(e, 'strerror', None) or e})", "Check the folder is writable"
    return RagError(f"{what} at {location}: the index was not updated. {fix} and run "
                    f"`rag ingest` again; articles indexed before are kept.")


def locked_error(path) -> IndexLockedError:
    return IndexLockedError(f"The index at {path} is in use by another process (a running `rag serve` or "
                            f"ingest?). Stop it, or point both at a Qdrant server with QDRANT_URL.")


def doc_states(payloads) -> dict[str, dict]:
    """Per article: the content hashes seen, chunk count, and expected count. A document whose
    write was cut short (killed mid-ingest) shows count != n_chunks and is redone."""
    states: dict[str, dict] = {}
    for p in payloads:
        s = states.setdefault(p["doc_id"], {"shas": set(), "count": 0, "n_chunks": set(),
                                            **{k: p.get(k, "") for k in ("title", "source", "date", "site", "url")}})
        s["shas"].add(p["doc_sha256"])
        s["n_chunks"].add(p["n_chunks"])
        s["count"] += 1
    for s in states.values():
        s["complete"] = len(s["shas"]) == 1 and s["n_chunks"] == {s["count"]}
    return states
