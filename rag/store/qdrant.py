"""Stage 4: Qdrant storage. Local mode under index/ by default, `:memory:` for tests,
a Qdrant server when a URL is given. Three collections: passages ("chunk" vector + payload), their
sentences (one plain point per sentence of each passage, scored by the best sentence: MaxSim), and
a one-point side collection that records what built the index."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..types import Chunk, Passage
from .base import (_PAYLOAD, STATE_FIELDS, _passage, _pid, _span_payload, _unit, chunk_payload, date_bounds,
                   fold_clauses, date_ord, doc_states, in_range, sentence_date, write_error)
from .bm25 import BM25
from .qdrant_setup import connect, ensure_collections

# Version of the collection layout; part of the index meta, so an index of another layout asks
# for `rag ingest --rebuild` instead of being misread. 2: sentences as plain points, DOT distance.
# 3: either sentence points with their text and article offsets (the answer's evidence) or date,
# site, url on passages and date_ord on passages and sentences (two branches numbered it 3 each).
# 4: both. A date filter is an integer Range on date_ord: the same in local mode, :memory: and a server.
STORE_LAYOUT = 4
_SENT_PAYLOAD = ["chunk_id", "doc_id", "text", "start", "end"]


class QdrantStore:
    layout = STORE_LAYOUT

    def __init__(self, dim: int, collection: str, path: Path | None = None, url: str | None = None,
                 api_key: str | None = None, memory: bool = False) -> None:
        from qdrant_client.http import models as qm

        self._qm = qm
        self.dim, self.collection, self.meta_collection = dim, collection, f"{collection}__meta"
        self.sent_collection = f"{collection}__sent"
        self.location = url or (":memory:" if memory else str(path))
        self._kw_lock = threading.Lock()
        self._kw: tuple[BM25, list[Passage]] | None = None
        self.client = connect(url, api_key, path, memory, lambda c: self._ensure(c))

    @contextmanager
    def _writing(self):
        """Disk errors of local mode (sqlite or the file system) become one clear RagError."""
        self.invalidate()  # also when the write fails half-way: part of it may have landed
        try:
            yield
        except (OSError, sqlite3.Error) as e:
            raise write_error(e, self.location) from e

    def _ensure(self, client=None) -> None:
        ensure_collections(client or self.client, self._qm, self.dim, (self.collection, self.sent_collection),
                           self.meta_collection, server="://" in self.location)

    def _doc_filter(self, doc_id: str):
        qm = self._qm
        return qm.Filter(must=[qm.FieldCondition(key="doc_id", match=qm.MatchValue(value=doc_id))])

    def _date_filter(self, since: str | None, until: str | None):
        """Inclusive ISO dates; a passage without a date has no date_ord and never matches."""
        since, until = date_bounds(since, until)
        lo, hi = date_ord(since), date_ord(until)
        if lo is None and hi is None:
            return None
        return self._qm.Filter(must=[self._qm.FieldCondition(key="date_ord", range=self._qm.Range(gte=lo, lte=hi))])

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray,
               sentence_vectors: Sequence[np.ndarray] | None = None,
               sentence_spans: Sequence[Sequence[tuple[int, int]]] | None = None) -> None:
        """sentence_spans: per chunk, the article offsets of the sentences whose vectors are given
        (stored with them, so the answer step can quote a sentence without re-splitting)."""
        qm = self._qm
        vectors = _unit(vectors) if len(chunks) else vectors
        sent_points = []
        spans_of = sentence_spans if sentence_spans is not None else [()] * len(chunks)
        for c, sv, spans in zip(chunks, sentence_vectors, spans_of, strict=True) if sentence_vectors is not None else ():
            sent_points += [qm.PointStruct(id=_pid(f"{c.chunk_id}#s{i}"), vector={"chunk": v.tolist()},
                                           payload={"chunk_id": c.chunk_id, "doc_id": c.doc_id, **sentence_date(c),
                                                    **_span_payload(c.text, c.start, spans, i)})
                            for i, v in enumerate(_unit(sv) if len(sv) else [])]
        points = [qm.PointStruct(id=_pid(c.chunk_id), vector={"chunk": v.tolist()},
                                 payload=chunk_payload(c))
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
        return doc_states(r.payload for r in self._scroll(STATE_FIELDS))

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

    def sentences(self, chunk_ids: Sequence[str] = (), doc_id: str | None = None) -> list[tuple[dict, np.ndarray]]:
        """The stored sentences of these passages (or of one whole article) with their unit vectors:
        (payload, vector)."""
        qm = self._qm
        cond = (qm.FieldCondition(key="doc_id", match=qm.MatchValue(value=doc_id)) if doc_id is not None
                else qm.FieldCondition(key="chunk_id", match=qm.MatchAny(any=list(chunk_ids))))
        flt = qm.Filter(must=[cond])
        out, offset = [], None
        while True:
            recs, offset = self.client.scroll(self.sent_collection, scroll_filter=flt, limit=1024, offset=offset,
                                              with_payload=_SENT_PAYLOAD, with_vectors=["chunk"])
            out += [(r.payload, np.asarray(r.vector["chunk"], dtype=np.float32)) for r in recs if "text" in r.payload]
            if offset is None:
                return fold_clauses(out)

    def all_chunks(self) -> list[Passage]:
        return [_passage(r.payload) for r in self._scroll(_PAYLOAD)]

    def invalidate(self) -> None:
        with self._kw_lock:
            self._kw = None

    def keyword_search(self, text: str, limit: int, since: str | None = None,
                       until: str | None = None) -> list[Passage]:
        """BM25 in process over every passage: built at the first query after a write (seconds at
        thousands of articles), which is why the embedded default moves to EdgeStore."""
        since, until = date_bounds(since, until)
        with self._kw_lock:
            if self._kw is None:
                chunks = self.all_chunks()
                self._kw = BM25([f"{c.title}\n{c.text}" for c in chunks]), chunks
            bm25, chunks = self._kw
        hits = [(i, sc) for i, sc in bm25.top(text, len(chunks) if since or until else limit)
                if in_range(getattr(chunks[i], "date", ""), since, until)][:limit]
        # copies: callers annotate the passages they get (fused scores), the cache stays clean
        return [Passage(**{**chunks[i].__dict__, "lexical_score": float(sc)}) for i, sc in hits]

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
