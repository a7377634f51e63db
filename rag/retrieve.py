"""Stage 5: hybrid retrieval. Dense (cosine in Qdrant) and lexical (BM25, in process) rankings
are fused with weighted reciprocal rank fusion, so exact names and numbers ("Lin Jian", "11.000")
are found as well as paraphrases, and an English question still reaches German passages."""
from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .load.text import date_range
from .types import Passage

STOPWORDS = set("""
a an and are as at be by did do does for from had has have how i in into is it its of on or say
said says that the their them they this to was were what when where which who whom why will with
would about after than then there these those been being can could should also not no
der die das den dem des ein eine einer eines einem einen und oder zu im in ist sind war waren hat
haben wie was wer wen wem warum wann wo welche welcher welches mit von für auf an am aus bei nach
sich sie er es dass daß nicht auch als um über noch nur so zur zum vom bis ob durch gegen
""".split())

_TOKEN = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?|\w+", re.UNICODE)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def tokenize(text: str) -> list[str]:
    """Lowercase words with umlauts folded; '11.000', '11,000' and '11000' become one token."""
    out = []
    for t in _TOKEN.findall(text.lower()):
        if t[0].isdigit():
            t = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", t)
        t = t.translate(_FOLD)
        if t not in STOPWORDS and (len(t) > 1 or t.isdigit()):
            out.append(t)
    return out


class BM25:
    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tfs = [Counter(tokenize(d)) for d in docs]
        self.lens = np.array([sum(tf.values()) for tf in self.tfs], dtype=np.float32)
        self.avg = float(self.lens.mean()) if len(self.lens) else 0.0
        df = Counter(t for tf in self.tfs for t in tf)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self.tfs):
            for t in tf:
                self.postings.setdefault(t, []).append(i)

    def scores(self, query: str) -> dict[int, float]:
        out: dict[int, float] = {}
        for t in set(tokenize(query)):
            idf = self.idf.get(t)
            if idf is None:
                continue
            for i in self.postings[t]:
                f = self.tfs[i][t]
                norm = f + self.k1 * (1 - self.b + self.b * self.lens[i] / (self.avg or 1.0))
                out[i] = out.get(i, 0.0) + idf * f * (self.k1 + 1) / norm
        return out

    def top(self, query: str, n: int, keep=None) -> list[tuple[int, float]]:
        """The n best documents; `keep(i)` says which ones may be returned at all."""
        hits = self.scores(query).items()
        if keep is not None:
            hits = [(i, sc) for i, sc in hits if keep(i)]
        return sorted(hits, key=lambda kv: -kv[1])[:n]


class HybridRetriever:
    """mode: 'hybrid' (default), 'dense' or 'lexical' (the latter two are eval baselines)."""

    def __init__(self, store, embedder, settings, mode: str = "hybrid") -> None:
        self.store, self.embedder, self.s, self.mode = store, embedder, settings, mode
        self._lock = threading.Lock()
        self._bm25: BM25 | None = None
        self._chunks: list[Passage] = []

    def invalidate(self) -> None:
        with self._lock:
            self._bm25 = None

    def _lexical(self) -> tuple[BM25, list[Passage]]:
        with self._lock:
            if self._bm25 is None:
                self._chunks = self.store.all_chunks()
                self._bm25 = BM25([f"{c.title}\n{c.text}" for c in self._chunks])
            return self._bm25, self._chunks

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
            bm25, chunks = self._lexical()
            keep = None
            if since or until:  # the same rule as the store's filter; ISO dates sort as strings
                keep = lambda i: bool(chunks[i].date) and (since or "") <= chunks[i].date <= (until or "9999")  # noqa: E731
            top = bm25.top(question, n, keep)
            weight = self.s.lexical_weight
            if self.mode == "hybrid" and top:
                # BM25 speaks up in proportion to how rare the matched words are: a name or figure
                # ("Lin Jian", "11.000") scores high; an English question on German text matches
                # little but "China", and then the ranking is left to the dense signals
                weight *= min(1.0, max(0.0, (top[0][1] - self.s.lexical_floor) / self.s.lexical_span))
            for rank, (i, sc) in enumerate(top):
                c = chunks[i]
                p = fused.setdefault(c.chunk_id, Passage(**{**c.__dict__}))
                p.lexical_score = float(sc)
                scores[c.chunk_id] = scores.get(c.chunk_id, 0.0) + weight / (self.s.rrf_k + rank + 1)
        ranked = sorted(fused.values(), key=lambda p: -scores[p.chunk_id])[:top_k]
        for p in ranked:
            p.score = scores[p.chunk_id]
        return ranked
