"""Stage 4: Qdrant storage. Local mode under index/ by default, `:memory:` for tests,
a Qdrant server when a URL is given. Three collections: passages ("chunk" vector + payload), their
sentences (one plain point per sentence of each passage, scored by the best sentence: MaxSim), and
a one-point side collection that records what built the index."""
from __future__ import annotations

import errno
import sqlite3
import uuid
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import IndexLockedError, InputError, RagError
from .load.text import date_ord
from .types import Chunk, Passage

_NS = uuid.UUID("6f1c2a4e-8f0b-4a59-9d4e-7a7f3c0b5e21")
_PAYLOAD = ["chunk_id", "doc_id", "title", "source", "text", "start", "end", "date", "site", "url"]
# Version of the collection layout; part of the index meta, so an index of another layout asks
# for `rag ingest --rebuild` instead of being misread. 2: sentences as plain points, DOT distance.
# 3: date, site and url on every passage, and the date as a day number (date_ord) on passages and
# sentences, so a date filter is an integer Range: the same in local mode, :memory: and a server.
STORE_LAYOUT = 3


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1.0, n)


def _dated(payload: dict, c: Chunk) -> dict:
    if c.date:
        payload["date_ord"] = date_ord(c.date)
    return payload


def _pid(key: str) -> str:
    return str(uuid.uuid5(_NS, key))


def _passage(payload: dict, score: float = 0.0) -> Passage:
    return Passage(chunk_id=payload["chunk_id"], doc_id=payload["doc_id"], title=payload["title"],
                   text=payload["text"], start=payload["start"], end=payload["end"],
                   source=payload.get("source", ""), score=score, dense_score=score,
                   date=payload.get("date", ""), site=payload.get("site", ""), url=payload.get("url", ""))


def _day(iso: str | None, what: str) -> int | None:
    if not iso:
        return None
    try:
        return date_ord(iso)
    except ValueError:
        raise InputError(f"{what} date {iso!r} is not a date; write it as YYYY-MM-DD") from None


class QdrantStore:
    def __init__(self, dim: int, collection: str, path: Path | None = None, url: str | None = None,
                 api_key: str | None = None, memory: bool = False) -> None:
        from qdrant_client import QdrantClient
        from qdrant_client.http import models as qm

        self._qm = qm
        self.dim, self.collection, self.meta_collection = dim, collection, f"{collection}__meta"
        self.sent_collection = f"{collection}__sent"
        self.location = url or (":memory:" if memory else str(path))
        try:
            if url:
                self.client = QdrantClient(url=url, api_key=api_key, timeout=30)
            elif memory:
                self.client = QdrantClient(":memory:")
            else:
                path.mkdir(parents=True, exist_ok=True)
                self.client = QdrantClient(path=str(path))
            self._ensure()
        except RuntimeError as e:
            if "already accessed" in str(e):
                raise IndexLockedError(
                    f"The index at {path} is in use by another process (a running `rag serve` or "
                    f"ingest?). Stop it, or point both at a Qdrant server with QDRANT_URL.") from e
            raise
        except (OSError, sqlite3.Error) as e:
            if url:
                raise RagError(f"Cannot reach the Qdrant server at {url}: {e}. Check QDRANT_URL.") from e
            raise self._write_error(e) from e
        except Exception as e:  # server unreachable and the like
            if url:
                raise RagError(f"Cannot reach the Qdrant server at {url}: {e}. Check QDRANT_URL.") from e
            raise

    def _write_error(self, e: Exception) -> RagError:
        if getattr(e, "errno", None) == errno.ENOSPC or "full" in str(e).lower():
            what, fix = "disk full", "Free some space (or set RAG_INDEX_DIR to another disk)"
        else:
            what, fix = f"cannot write ({getattr(e, 'strerror', None) or e})", "Check the folder is writable"
        return RagError(f"{what} at {self.location}: the index was not updated. {fix} and run "
                        f"`rag ingest` again; articles indexed before are kept.")

    @contextmanager
    def _writing(self):
        """Disk errors of local mode (sqlite or the file system) become one clear RagError."""
        try:
            yield
        except (OSError, sqlite3.Error) as e:
            raise self._write_error(e) from e

    def _ensure(self) -> None:
        qm = self._qm
        # Vectors are stored unit length and compared by DOT (= cosine): local mode then scores
        # with one matrix product instead of re-normalising every stored vector per query.
        # Sentences are plain points, not a multivector: local mode computes MaxSim point by
        # point in Python (15 s at 120k passages); plain points are one matrix product as well.
        for name in (self.collection, self.sent_collection):
            if not self.client.collection_exists(name):
                self.client.create_collection(name, vectors_config={
                    "chunk": qm.VectorParams(size=self.dim, distance=qm.Distance.DOT)})
                if "://" in self.location:
                    self.client.create_payload_index(name, "doc_id", qm.PayloadSchemaType.KEYWORD)
                    self.client.create_payload_index(name, "date_ord", qm.PayloadSchemaType.INTEGER)
        if not self.client.collection_exists(self.meta_collection):
            self.client.create_collection(
                self.meta_collection, vectors_config=qm.VectorParams(size=1, distance=qm.Distance.DOT))

    def _doc_filter(self, doc_id: str):
        qm = self._qm
        return qm.Filter(must=[qm.FieldCondition(key="doc_id", match=qm.MatchValue(value=doc_id))])

    def _date_filter(self, since: str | None, until: str | None):
        """Inclusive ISO dates; a passage without a date has no date_ord and never matches."""
        lo, hi = _day(since, "since"), _day(until, "until")
        if lo is None and hi is None:
            return None
        return self._qm.Filter(must=[self._qm.FieldCondition(key="date_ord", range=self._qm.Range(gte=lo, lte=hi))])

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray,
               sentence_vectors: Sequence[np.ndarray] | None = None) -> None:
        qm = self._qm
        vectors = _unit(vectors) if len(chunks) else vectors
        sent_points = []
        for c, sv in zip(chunks, sentence_vectors, strict=True) if sentence_vectors is not None else ():
            sent_points += [qm.PointStruct(id=_pid(f"{c.chunk_id}#s{i}"), vector={"chunk": v.tolist()},
                                           payload=_dated({"chunk_id": c.chunk_id, "doc_id": c.doc_id}, c))
                            for i, v in enumerate(_unit(sv) if len(sv) else [])]
        points = [qm.PointStruct(id=_pid(c.chunk_id), vector={"chunk": v.tolist()},
                                 payload=_dated({"chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title,
                                                 "source": c.source, "text": c.text, "start": c.start,
                                                 "end": c.end, "index": c.index, "n_chunks": c.n_chunks,
                                                 "doc_sha256": c.doc_sha256, "date": c.date, "site": c.site,
                                                 "url": c.url}, c))
                  for c, v in zip(chunks, vectors, strict=True)]
        with self._writing():
            # sentences first: the passages are what marks an article complete (doc_states)
            if sent_points:
                self.client.upsert(self.sent_collection, points=sent_points, wait=True)
            if points:
                self.client.upsert(self.collection, points=points, wait=True)

    def delete_doc(self, doc_id: str) -> None:
        with self._writing():
            for name in (self.collection, self.sent_collection):
                self.client.delete(name, points_selector=self._qm.FilterSelector(
                    filter=self._doc_filter(doc_id)), wait=True)

    def _scroll(self, fields):
        offset = None
        while True:
            recs, offset = self.client.scroll(self.collection, limit=1024, offset=offset,
                                              with_payload=fields, with_vectors=False)
            yield from recs
            if offset is None:
                break

    def doc_states(self) -> dict[str, dict]:
        """Per article: the content hashes seen, chunk count, and expected count. A document whose
        write was cut short (killed mid-ingest) shows count != n_chunks and is redone."""
        states: dict[str, dict] = {}
        for r in self._scroll(["doc_id", "doc_sha256", "n_chunks", "title", "source", "date", "site", "url"]):
            p = r.payload
            s = states.setdefault(p["doc_id"], {"shas": set(), "count": 0, "n_chunks": set(),
                                                "title": p.get("title", ""), "source": p.get("source", ""),
                                                "date": p.get("date", ""), "site": p.get("site", ""),
                                                "url": p.get("url", "")})
            s["shas"].add(p["doc_sha256"])
            s["n_chunks"].add(p["n_chunks"])
            s["count"] += 1
        for s in states.values():
            s["complete"] = len(s["shas"]) == 1 and s["n_chunks"] == {s["count"]}
        return states

    def search(self, vector: np.ndarray, limit: int, using: str = "chunk", since: str | None = None,
               until: str | None = None) -> list[Passage]:
        """using="chunk": passages by their own vector; "sent": passages by their best sentence.
        since/until: inclusive ISO dates of the article; undated articles are left out then."""
        q = _unit(vector).tolist()
        flt = self._date_filter(since, until)
        if using != "sent":
            res = self.client.query_points(self.collection, query=q, using="chunk", limit=limit,
                                           with_payload=_PAYLOAD, query_filter=flt)
            return [_passage(p.payload, float(p.score)) for p in res.points]
        # a passage has ~3 sentences: 4x as many sentence hits almost always cover `limit` passages
        hits = self.client.query_points(self.sent_collection, query=q, using="chunk", limit=4 * limit,
                                        with_payload=["chunk_id"], query_filter=flt).points
        best: dict[str, float] = {}
        for h in hits:  # ranked best first, so the first hit of a passage is its MaxSim score
            best.setdefault(h.payload["chunk_id"], float(h.score))
        ids = list(best)[:limit]
        recs = {r.payload["chunk_id"]: r for r in self.client.retrieve(
            self.collection, ids=[_pid(c) for c in ids], with_payload=_PAYLOAD)}
        # a sentence whose passage is missing belongs to an article whose write was cut short
        return [_passage(recs[c].payload, best[c]) for c in ids if c in recs]

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored passage vectors (unit length), so the citation check need not re-embed them."""
        recs = self.client.retrieve(self.collection, ids=[_pid(c) for c in chunk_ids],
                                    with_payload=["chunk_id"], with_vectors=["chunk"])
        return {r.payload["chunk_id"]: np.asarray(r.vector["chunk"], dtype=np.float32) for r in recs}

    def all_chunks(self) -> list[Passage]:
        return [_passage(r.payload) for r in self._scroll(_PAYLOAD)]

    def count(self) -> int:
        return self.client.count(self.collection, exact=True).count

    def get_meta(self) -> dict | None:
        recs = self.client.retrieve(self.meta_collection, ids=[1], with_payload=True)
        return dict(recs[0].payload) if recs else None

    def set_meta(self, meta: dict) -> None:
        with self._writing():
            self.client.upsert(self.meta_collection, wait=True,
                               points=[self._qm.PointStruct(id=1, vector=[1.0], payload=meta)])

    def reset(self) -> None:
        with self._writing():
            for c in (self.collection, self.sent_collection, self.meta_collection):
                if self.client.collection_exists(c):
                    self.client.delete_collection(c)
            self._ensure()

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # closing twice or at interpreter exit is harmless
            pass
