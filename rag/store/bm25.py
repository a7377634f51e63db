"""Keyword scoring. The in-process BM25 that QdrantStore answers `keyword_search` with (qdrant-client
has no keyword scoring of its own in local mode) and the tokenizer the citation check shares, kept as
they were in rag/retrieve.py so today's rankings do not move; and the settings of Edge's own BM25."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

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

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        return sorted(self.scores(query).items(), key=lambda kv: -kv[1])[:n]


_THOUSANDS = re.compile(r"\b\d{1,3}(?:[.,]\d{3})+\b")
# Edge fixes BM25 length normalisation when a passage is written: the mean passage of the corpus at
# 700 characters is ~64 tokens (62 measured), where Edge's default assumes 256
EDGE_BM25_AVG_LEN = 64.0


def fold_numbers(text: str) -> str:
    """'11.000' and '11,000' -> '11000' as tokenize() does: Edge's tokenizer splits at the separator."""
    return _THOUSANDS.sub(lambda m: re.sub(r"[.,]", "", m.group()), text)


def edge_bm25(qe):
    """German stemming (the articles are German); English stopwords too, as STOPWORDS has them, so
    an English question keeps only its names, numbers and content words."""
    return qe.Bm25(qe.Bm25Config(
        avg_len=EDGE_BM25_AVG_LEN, language="german", stemmer=qe.SnowballParams(qe.SnowballLanguage.German),
        stopwords=qe.StopwordsSet(languages={qe.Language.German, qe.Language.English}, custom=set(STOPWORDS))))
