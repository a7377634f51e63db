"""Qdrant Edge (qdrant-edge-py, beta: pinned) as an in-process store on disk.

One shard per index directory, one point per passage holding everything about it: the passage
vector ("chunk"), its sentence vectors as one multivector compared by MaxSim ("sent") and a BM25
sparse vector with IDF ("bm25"). A passage is then written in one operation with its sentences (no
orphan sentences after a crash), the best-sentence search is one query instead of 4x oversampling,
and dense, sentence and keyword rankings can be fused in one query. The index meta is one point
without vectors in the same shard, so it is reset, locked and copied with the data."""
from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..types import Chunk, Passage
from .base import (_PAYLOAD, STATE_FIELDS, _passage, _pid, _span_payload, _unit, chunk_payload, date_bounds,
                   doc_states, fold_clauses)
from .bm25 import edge_bm25, fold_numbers
from .edge_setup import open_shard, shard_config, writing

# Part of the index meta: bump it when the vectors, the payload or the BM25 settings (rag/store/bm25.py)
# change. edge-2: each passage keeps its sentences' article offsets (`sent_spans`, the answer's evidence).
EDGE_LAYOUT = "edge-2"
_META_ID = _pid("__meta__")
_SENT_FIELDS = ["chunk_id", "doc_id", "text", "start", "end", "sent_spans"]


class EdgeStore:
    layout = EDGE_LAYOUT

    def __init__(self, dim: int, path: Path) -> None:
        import qdrant_edge as qe

        self.qe, self.dim, self.path, self.location = qe, dim, Path(path), str(path)
        self.bm25 = edge_bm25(qe)
        self.shard = self._open()

    def _open(self):
        return open_shard(self.qe, self.path, self.dim)

    def config(self, **extra):
        """The shard's EdgeConfig; extra: other EdgeConfig fields (optimizer or HNSW settings)."""
        return shard_config(self.qe, self.dim, **extra)

    def _writing(self):
        return writing(self.path)

    def _filter(self, since: str | None = None, until: str | None = None, doc_id: str | None = None):
        qe = self.qe
        must = []
        if doc_id is not None:
            must.append(qe.FieldCondition(key="doc_id", match=qe.MatchValue(doc_id)))
        since, until = date_bounds(since, until)
        if since or until:  # an undated passage ("" or no field) fails the range: left out
            must.append(qe.FieldCondition(key="date", range=qe.RangeDateTime(gte=since, lte=until)))
        return qe.Filter(must=must or None, must_not=[qe.IsEmptyCondition("doc_id")])  # not the meta point

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray,
               sentence_vectors: Sequence[np.ndarray] | None = None,
               sentence_spans: Sequence[Sequence[tuple[int, int]]] | None = None) -> None:
        """sentence_spans: per chunk, the article offsets of the sentences whose vectors are given;
        kept in the payload as `sent_spans`, row for row with the "sent" multivector."""
        qe = self.qe
        if not len(chunks):
            return
        sents = sentence_vectors if sentence_vectors is not None else [None] * len(chunks)
        spans_of = sentence_spans if sentence_spans is not None else [()] * len(chunks)
        points = []
        for c, v, sv, spans in zip(chunks, _unit(vectors), sents, spans_of, strict=True):
            vec, payload = {"chunk": v.tolist()}, chunk_payload(c)
            if sv is not None and len(sv):
                vec["sent"] = _unit(sv).tolist()
                if len(spans):
                    payload["sent_spans"] = [[int(a), int(b)] for a, b in spans]
            sparse = self.bm25.embed_document(fold_numbers(f"{c.title}\n{c.text}"))
            if sparse.indices:
                vec["bm25"] = sparse
            points.append(qe.Point(_pid(c.chunk_id), vec, payload))
        with self._writing():
            self.shard.update(qe.UpdateOperation.upsert_points(points))

    def delete_doc(self, doc_id: str) -> None:
        with self._writing():
            self.shard.update(self.qe.UpdateOperation.delete_points_by_filter(self._filter(doc_id=doc_id)))

    def _scroll(self, fields, flt=None):
        offset = None
        while True:
            recs, offset = self.shard.scroll(self.qe.ScrollRequest(
                offset=offset, limit=1024, filter=flt or self._filter(), with_payload=fields))
            yield from recs
            if offset is None:
                break

    def doc_states(self) -> dict[str, dict]:
        return doc_states(r.payload for r in self._scroll(STATE_FIELDS))

    def _query(self, limit: int, query=None, prefetches=None, since=None, until=None):
        return self.shard.query(self.qe.QueryRequest(limit=limit, query=query, prefetches=prefetches,
                                                     filter=self._filter(since, until), with_payload=_PAYLOAD))

    def _dense(self, vector: np.ndarray, using: str):
        q = _unit(vector).tolist()
        return self.qe.Query.Nearest([q], using="sent") if using == "sent" else self.qe.Query.Nearest(q, using="chunk")

    def search(self, vector: np.ndarray, limit: int, using: str = "chunk", since: str | None = None,
               until: str | None = None) -> list[Passage]:
        """using="chunk": passages by their own vector; "sent": by their best sentence (MaxSim)."""
        return [_passage(p.payload, float(p.score))
                for p in self._query(limit, self._dense(vector, using), since=since, until=until)]

    def keyword_search(self, text: str, limit: int, since: str | None = None,
                       until: str | None = None) -> list[Passage]:
        sparse = self.bm25.embed_query(fold_numbers(text))
        if not sparse.indices:  # only stopwords: no keyword evidence at all
            return []
        out = []
        for p in self._query(limit, self.qe.Query.Nearest(sparse, using="bm25"), since=since, until=until):
            out.append(_passage(p.payload))
            out[-1].score = out[-1].lexical_score = float(p.score)
        return out

    def hybrid_search(self, vector: np.ndarray, text: str, limit: int, *, candidates: int = 30, rrf_k: int = 60,
                      weights: Sequence[float] = (1.0, 1.0, 1.0), sentences: bool = True,
                      since: str | None = None, until: str | None = None) -> list[Passage]:
        """Passage, best-sentence and BM25 rankings fused by Edge's RRF in one query. Edge ranks from
        0 where HybridRetriever ranks from 1, hence k+1; its weights divide the rank instead of
        multiplying the term, so only weights of 1 (or 0: the list is left out) fuse the same way."""
        qe = self.qe
        f = self._filter(since, until)
        lists = [(weights[0], self._dense(vector, "chunk")),
                 (weights[1] if sentences else 0.0, self._dense(vector, "sent"))]
        sparse = self.bm25.embed_query(fold_numbers(text))
        if sparse.indices:
            lists.append((weights[2], qe.Query.Nearest(sparse, using="bm25")))
        lists = [(w, q) for w, q in lists if w > 0]
        fusion = qe.Fusion.Rrf(k=rrf_k + 1, weights=[float(w) for w, _ in lists])
        res = self._query(limit, fusion, [qe.Prefetch(limit=candidates, query=q, filter=f) for _, q in lists],
                          since, until)
        return [_passage(p.payload, float(p.score)) for p in res]

    def optimize(self) -> bool:
        """Build the HNSW graphs of the segments above Edge's indexing threshold (and merge small
        segments); blocking. True if anything changed."""
        with self._writing():
            return self.shard.optimize()

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        recs = self.shard.retrieve([_pid(c) for c in chunk_ids], with_payload=["chunk_id"], with_vector=["chunk"])
        return {r.payload["chunk_id"]: np.asarray(r.vector["chunk"], dtype=np.float32) for r in recs}

    def sentences(self, chunk_ids: Sequence[str] = (), doc_id: str | None = None) -> list[tuple[dict, np.ndarray]]:
        """The stored sentences of these passages (or of every passage of one article) with their unit
        vectors: (payload, vector), in the order of each passage's multivector rows; text sliced from
        the passage by the stored offsets."""
        if doc_id is not None:
            ids = [r.payload["chunk_id"] for r in self._scroll(["chunk_id"], self._filter(doc_id=doc_id))]
            return self.sentences(ids) if ids else []
        recs = self.shard.retrieve([_pid(c) for c in chunk_ids], with_payload=_SENT_FIELDS, with_vector=["sent"])
        out = []
        for r in recs:
            pl, rows = r.payload, (r.vector or {}).get("sent") or []
            spans = pl.get("sent_spans") or []
            out += [({"chunk_id": pl["chunk_id"], "doc_id": pl["doc_id"], **_span_payload(pl["text"], pl["start"], spans, i)},
                     np.asarray(row, dtype=np.float32)) for i, row in enumerate(rows[:len(spans)])]
        return fold_clauses(out)

    def all_chunks(self) -> list[Passage]:
        return [_passage(r.payload) for r in self._scroll(_PAYLOAD)]

    def count(self) -> int:
        return self.shard.count(self.qe.CountRequest(exact=True, filter=self._filter()))

    def get_meta(self) -> dict | None:
        recs = self.shard.retrieve([_META_ID], with_payload=True, with_vector=False)
        return dict(recs[0].payload) if recs else None

    def set_meta(self, meta: dict) -> None:
        with self._writing():
            self.shard.update(self.qe.UpdateOperation.upsert_points([self.qe.Point(_META_ID, {}, dict(meta))]))
            self.shard.flush()

    def reset(self) -> None:
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)  # frees space: no free-space check first
        self.shard = self._open()

    def close(self) -> None:
        if self.shard is not None:
            try:
                self.shard.flush()
            finally:
                self.shard.close()
                self.shard = None
