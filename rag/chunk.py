"""Stage 2: German-aware sentence splitting, then sentence-packed chunks with character offsets.

A period is not a sentence end after an ordinal ("19. Juni"), an abbreviation ("z.B.", "Dr."),
an initial ("Robert A. Wood"), or inside a number ("8.000"); the regex below only proposes
boundaries at punctuation followed by white space, and `_is_boundary` vetoes the false ones.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from .types import Chunk, Document
from .vocab import CLAUSE_WORDS

CHUNKER_VERSION = "sent-v1"  # bump when chunk boundaries change: the index then asks for a rebuild

ABBREVIATIONS = {
    "z.b", "u.a", "d.h", "bzw", "dr", "prof", "nr", "ca", "vgl", "sog", "usw", "etc", "mio", "mrd",
    "st", "str", "abs", "art", "bspw", "ggf", "inkl", "evtl", "jh", "jhd", "mr", "mrs", "ms", "vs",
    "u.s", "e.g", "i.e", "no", "gen", "sen", "rep", "jan", "feb", "aug", "sept", "okt", "nov", "dez",
    "bzgl", "zzgl", "u.ä", "o.ä", "s", "hl", "z", "a.d", "v.chr", "n.chr", "min", "max", "tel",
}
MONTHS = {"januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "dezember", "jahrhundert", "jahrestag", "mal", "platz", "weltkrieg",
          "klasse", "liga", "stock", "bundestag", "todestag", "geburtstag", "runde"}

_CANDIDATE = re.compile(r"[.!?…]+[\"'“”„»«)\]]*(?=\s)|\n\s*\n|\n")


def _is_boundary(text: str, end_punct: int, match: str) -> bool:
    if "\n" in match:
        return True
    if match[0] in "!?…":
        return True
    before = text[:end_punct]
    word = re.search(r"(\S+)$", before)
    token = word.group(1).lower().strip("(\"'„“»«") if word else ""
    nxt = re.match(r"\s+(\S+)", text[end_punct + len(match):])
    next_word = nxt.group(1) if nxt else ""
    if token in ABBREVIATIONS or token.rstrip(".") in ABBREVIATIONS:
        return False
    if re.fullmatch(r"[a-zäöü]", token, re.I):  # initial: "Robert A. Wood"
        return False
    if re.fullmatch(r"\d{1,2}", token):  # ordinal: "19. Juni", "2. Weltkrieg"
        if next_word and (next_word.lower().strip(",.") in MONTHS or next_word[0].islower()):
            return False
    if next_word and next_word[0].islower():
        return False
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of sentences; spans exclude the surrounding white space."""
    spans, start = [], 0
    for m in _CANDIDATE.finditer(text):
        if not _is_boundary(text, m.start(), m.group(0)):
            continue
        end = m.end() if "\n" not in m.group(0) else m.start()
        _add(text, start, end, spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> None:
    seg = text[s:e]
    if not seg.strip():
        return
    s += len(seg) - len(seg.lstrip())
    e -= len(seg) - len(seg.rstrip())
    spans.append((s, e))


def _pack(spans: Sequence[tuple[int, int]], max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into windows of at most max_chars (a longer sentence
    stands alone), each window repeating the last `overlap` sentences of the one before."""
    windows, i = [], 0
    while i < len(spans):
        j = i + 1
        while j < len(spans) and spans[j][1] - spans[i][0] <= max_chars:
            j += 1
        windows.append((i, j))
        if j >= len(spans):
            break
        i = max(j - overlap, i + 1)
    return [(spans[a][0], spans[b - 1][1]) for a, b in windows]


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    return hashlib.sha1(f"{doc_id}\0{start}\0{end}\0{text}".encode()).hexdigest()[:20]


def chunk_document(doc: Document, max_chars: int = 700, overlap: int = 1) -> list[Chunk]:
    windows = _pack(split_sentences(doc.text), max_chars, overlap)
    out = []
    for i, (s, e) in enumerate(windows):
        body = doc.text[s:e]
        out.append(Chunk(chunk_id=chunk_id(doc.doc_id, s, e, body), doc_id=doc.doc_id, title=doc.title,
                         source=doc.source, text=body, start=s, end=e, index=i, n_chunks=len(windows),
                         doc_sha256=doc.sha256, date=doc.date, site=doc.site, url=doc.url))
    return out


# where a long sentence turns to a clause of its own: after a quote its speaker follows ("…“, sagte
# Patel"), before a relative, adverbial or reported clause (", dass russische Streitkräfte …"), at a
# colon or semicolon. Not at every comma: most commas in news prose separate the items of a list
_CLAUSE_CUT = re.compile(r"(?<=[“”\"»«])\s*,\s*|\s*[:;]\s+|\s+[–—-]\s+|"
                         rf"\s*,\s*(?=(?:{CLAUSE_WORDS}|dass|that|ob|um|wie|so|sagte|erklärte|said)\b)")


def clause_spans(text: str, spans: Sequence[tuple[int, int]], min_sentence: int = 200,
                 min_clause: int = 40) -> list[tuple[int, int]]:
    """The clauses of each sentence longer than `min_sentence` characters, as spans inside it: a
    long sentence's vector is the mean over all its words, so the one clause a question asks about
    ("… ausgebildet hätten" after a quote on other challenges) can be far closer to the question
    than the sentence is. A clause shorter than `min_clause` joins the one before it (the first
    joins the next); a sentence that does not divide gives none."""
    out = []
    for a, b in spans:
        if b - a <= min_sentence:
            continue
        cuts = [(m.start(), m.end()) for m in _CLAUSE_CUT.finditer(text, a, b) if a < m.start() and m.end() < b]
        parts = zip([a] + [c[1] for c in cuts], [c[0] for c in cuts] + [b])
        merged: list[list[int]] = []
        for s, e in parts:
            if merged and (e - s < min_clause or merged[-1][1] - merged[-1][0] < min_clause):
                merged[-1][1] = e
            else:
                merged.append([s, e])
        if len(merged) > 1 and merged[-1][1] - merged[-1][0] < min_clause:
            merged[-2][1] = merged.pop()[1]
        if len(merged) > 1:
            out += [(s, e) for s, e in merged]
    return out
