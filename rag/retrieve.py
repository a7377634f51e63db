"""Stage 5: hybrid retrieval. Dense (cosine) and lexical (BM25, the store's keyword_search) rankings
are fused with weighted reciprocal rank fusion, so exact names and numbers ("Lin Jian", "11.000")
are found as well as paraphrases, and an English question still reaches German passages."""
from __future__ import annotations

import numpy as np

from .load.text import date_range
from .store.bm25 import BM25, tokenize  # noqa: F401  (re-exported: older imports and the eval use them)
from .types import Passage


class HybridRetriever:
    """mode: 'hybrid' (default), 'dense' or 'lexical' (the latter two are eval baselines)."""

    def __init__(self, store, embedder, settings, mode: str = "hybrid") -> None:
        self.store, self.embedder, self.s, self.mode = store, embedder, settings, mode

    def invalidate(self) -> None:
        """Stores drop their own keyword caches on every write; this only covers writes made to
        the index behind the store's back (another process on a shared server)."""
        if hasattr(self.store, "invalidate"):
            self.store.invalidate()

    def retrieve(self, question: str, top_k: int | None = None, query_vector: np.ndarray | None = None,
                 since: str | None = None, until: str | None = None) -> list[Passage]:
        """since/until: inclusive ISO dates of the article (either may be None); with either set,
        articles without a known date are left out."""
        top_k = top_k or self.s.top_k
        since, until = date_range(since, until)
        n = max(self.s.candidates, top_k)
        fused: dict[str, Passage] = {}
        scores: dict[str, float] = {}
        if self.mode in ("hybrid", "dense"):
            qv = query_vector if query_vector is not None else self.embedder.embed_queries([question])[0]
            for rank, p in enumerate(self.store.search(qv, n, since=since, until=until)):
                fused[p.chunk_id] = p
                scores[p.chunk_id] = self.s.dense_weight / (self.s.rrf_k + rank + 1)
            if self.s.sentence_vectors:
                for rank, p in enumerate(self.store.search(qv, n, using="sent", since=since, until=until)):
                    fused.setdefault(p.chunk_id, Passage(**{**p.__dict__, "dense_score": 0.0}))
                    fused[p.chunk_id].sentence_score = p.dense_score
                    scores[p.chunk_id] = scores.get(p.chunk_id, 0.0) + self.s.sentence_weight / (self.s.rrf_k + rank + 1)
        if self.mode in ("hybrid", "lexical"):
            top = self.store.keyword_search(question, n, since=since, until=until)
            weight = self.s.lexical_weight
            if self.mode == "hybrid" and top:
                # BM25 speaks up in proportion to how rare the matched words are: a name or figure
                # ("Lin Jian", "11.000") scores high; an English question on German text matches
                # little but "China", and then the ranking is left to the dense signals
                weight *= self.lexical_gate(top)
            for rank, c in enumerate(top):
                p = fused.setdefault(c.chunk_id, c)
                p.lexical_score = c.lexical_score
                scores[c.chunk_id] = scores.get(c.chunk_id, 0.0) + weight / (self.s.rrf_k + rank + 1)
        ranked = sorted(fused.values(), key=lambda p: -scores[p.chunk_id])[:top_k]
        for p in ranked:
            p.score = scores[p.chunk_id]
        return ranked

    def lexical_gate(self, top: list[Passage]) -> float:
        """0..1: how much the keyword ranking counts. Both: its best BM25 score is high (rare words
        matched, a name or a figure) and that best match stands out from the k-th (a flat list is
        common words matched everywhere). The score alone grows with the collection (IDF): among
        the 514 de-news articles nearly every question passed it, and keyword hits on everyday
        words pushed the gold passages down (tune split: MRR 0.823 -> 0.866 with the second test)."""
        s = self.s
        strong = (top[0].lexical_score - s.lexical_floor) / s.lexical_span
        ref = top[min(s.lexical_peak_rank, len(top)) - 1].lexical_score
        peaked = 1.0 if len(top) < 2 else (top[0].lexical_score / max(ref, 1e-9) - s.lexical_peak_floor) / s.lexical_peak_span
        return min(1.0, max(0.0, min(strong, peaked)))
