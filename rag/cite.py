"""Stage 8: citations are the pipeline's job, not the model's luck.

The answer is split into sentences; each `[n]` is parsed, numbers out of range are dropped, and
each cited passage must actually support its sentence (embedding similarity, or for names and
numbers, lexical overlap). Where the model cited nothing, or cited a passage that does not
support the sentence, the best supporting passage is attached; a sentence no passage supports
is removed rather than shown uncited.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .chunk import split_sentences
from .retrieve import tokenize
from .types import Citation, Passage

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
SupportFn = Callable[[Sequence[str], Sequence[Passage]], np.ndarray]

_NOT_FOUND = re.compile(
    r"(do(es)? not (say|mention|contain|provide|state)|no information|not (mentioned|stated|specified)|"
    r"cannot be (found|determined|answered)|nicht (erwähnt|genannt|angegeben|enthalten)|"
    r"keine (angaben|informationen)|steht nichts|geben (darauf )?keine)", re.I)


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def parse(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer with the numbers cited in each (markers removed from the text)."""
    out = []
    spans = split_sentences(text)
    for i, (s, e) in enumerate(spans):
        # a marker written after the sentence's full stop belongs to that sentence
        nxt = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        seg = text[s:e]
        trail = MARKER.match(text, e)
        if trail and trail.start() <= nxt:
            seg += trail.group(0)
        nums = [int(n) for m in MARKER.finditer(seg) for n in re.split(r"[,;]", m.group(1))]
        sent = strip_markers(seg)
        if sent and not re.fullmatch(r"[\W\d]*", sent):
            out.append((sent, nums))
    return out


# Han, kana, Hangul and full-width forms: the 1.5B Qwen model now and then slips into them
# mid-sentence ("3人の US-Spitzendiplomaten"); kept only where the passages use them too
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]+")


def _drop_stray_script(sentence: str) -> str:
    return re.sub(r"\s{2,}", " ", _CJK.sub(" ", sentence)).strip()


def _is_claim(sentence: str) -> bool:
    """A bare word ("HACKED", "Yes.") states nothing a passage can support; a number can ("11,000")."""
    return bool(re.search(r"\d", sentence)) or len(re.findall(r"\w{2,}", sentence)) >= 3


def looks_like_abstention(text: str) -> bool:
    return bool(_NOT_FOUND.search(strip_markers(text)))


def lexical_support(sentence: str, passage: Passage) -> float:
    """How many of the sentence's figures and names the passage holds (0 when it has none).
    Figures weigh most: two passages about troop numbers differ in exactly those."""
    nums = {t for t in tokenize(sentence) if t[0].isdigit()}
    # capitalized words past the first (German nouns are capitalized too, hence only part weight)
    names = {w.lower() for w in re.findall(r"\b[A-ZÄÖÜ][\w-]{2,}", sentence)[1:]}
    hay, hay_tokens = passage.text.lower(), set(tokenize(passage.text))

    def share(keys):
        return sum(1 for k in keys if k in hay_tokens or k in hay) / len(keys) if keys else None

    n, w = share(nums), share(names)
    if n is None and w is None:
        return 0.0
    if n is None or w is None:
        return n if w is None else w
    return 0.6 * n + 0.4 * w


def _has_keys(sentence: str) -> bool:
    return bool(re.search(r"\d", sentence) or len(re.findall(r"\b[A-ZÄÖÜ][\w-]{2,}", sentence)) > 1)


def embedding_support(embedder, known: dict[str, np.ndarray] | None = None) -> SupportFn:
    """known: passage vectors by chunk_id, as stored at ingest (the same model and document
    prompt), so only the answer's sentences are embedded here."""
    known = known or {}

    def fn(sentences: Sequence[str], passages: Sequence[Passage]) -> np.ndarray:
        if not sentences or not passages:
            return np.zeros((len(sentences), len(passages)), dtype=np.float32)
        sv = embedder.embed_queries(list(sentences))
        missing = [p for p in passages if p.chunk_id not in known]
        fresh = dict(zip([p.chunk_id for p in missing],
                         embedder.embed_documents([p.text for p in missing]) if missing else []))
        pv = np.stack([known.get(p.chunk_id, fresh.get(p.chunk_id)) for p in passages])
        sem = sv @ pv.T
        lex = np.array([[lexical_support(s, p) for p in passages] for s in sentences], dtype=np.float32)
        has_keys = np.array([[_has_keys(s)] for s in sentences], dtype=np.float32)
        # names and numbers must be in the passage: a topical passage that lacks the sentence's
        # figures scores lower than the one that has them
        return sem + has_keys * 0.3 * (lex - 0.5)
    return fn


def verify(text: str, passages: Sequence[Passage], support: SupportFn,
           threshold: float = 0.35, margin: float = 0.08) -> tuple[str, list[Citation]]:
    """Return the answer rewritten with verified markers, and its citations (first use order)."""
    sents = parse(text)
    if not any(_CJK.search(p.text) for p in passages):
        sents = [(_drop_stray_script(s), n) for s, n in sents]
    if not sents:
        return "", []
    m = support([s for s, _ in sents], passages)
    by_number = {p.number: (i, p) for i, p in enumerate(passages)}
    kept_text, cites, seen = [], [], set()
    for si, (sent, nums) in enumerate(sents):
        if not _is_claim(sent):
            continue
        best = int(np.argmax(m[si])) if len(passages) else -1
        # the model's own citation stands if its passage supports the sentence nearly as well
        # as the best passage does; otherwise the best passage replaces it
        ok = [n for n in dict.fromkeys(nums) if n in by_number
              and m[si, by_number[n][0]] >= max(threshold, m[si, best] - margin)]
        attached = False
        if not ok and best >= 0:
            if m[si, best] >= threshold:
                ok, attached = [passages[best].number], True
        if not ok:
            continue  # no passage supports this sentence: it does not leave the pipeline
        kept_text.append(sent + "".join(f" [{n}]" for n in ok))
        for n in ok:
            if n not in seen:
                seen.add(n)
                j, p = by_number[n]
                cites.append(Citation(number=n, passage=p, sentence=sent, support=float(m[si, j]),
                                      attached=attached))
    return " ".join(kept_text), cites
