"""What a chosen evidence sentence needs beside it to be understood: the sentence before (a
pronoun's antecedent, a quote's first half), the quote a statement announces, the speaker a quote
ends with, and the same speaker's next statement given by pronoun ("…, sagte er"), across a photo
caption set between them. Works on anything with doc_id, start, end and text (rag.evidence's
candidates)."""
from __future__ import annotations

import re
from typing import Protocol

# a sentence that starts like this continues the one before it
# ("Das"/"Die" are left out: far more often an article, "Das Ministerium ...", than a pronoun)
_NEEDS_PREV = re.compile(r"^(?:[a-zäöü]|(?:Er|Sie|Es|Dies|Diese|Dieser|Dieses|Damit|Dabei|Demnach|Zudem|"
                         r"He|She|They|It|This|These)\b)")
_OPEN_QUOTE = re.compile(r'^[„“"»‚]')
_SAID = re.compile(r"\b(sagte|sagt|so|erklärte|betonte|fügte|warnte|schrieb|said|says|told|added)\b", re.I)
# a statement in a sentence: who said, declared, demanded, rejected ...
SPEECH = re.compile(r"\b(sagte|sagt|erklärt|betont|bekräftigt|äußert|teilte|forderte|forderten|verurteilt|"
                    r"warnte|kommentier|dementiert|Erklärung|Sprecher|zufolge|laut)\w*", re.I)
# a statement whose speaker is a pronoun, continuing the sentence before it
_PRONOUN_SAID = re.compile(r"\b(sagte|sagt|erklärte|betonte|warnte|fügte|so)\s+(er|sie)\b|\b(he|she)\s+(said|says|added|warned)\b",
                           re.I)
_ENDS = re.compile(r"[.!?\"“”»)]\s*$")  # a sentence, not a photo caption ...
_CREDIT = re.compile(r"copyright|all rights reserved|alle rechte|©|\b(foto|bild|photo)\s*:", re.I)  # ... or its credit


class Sentence(Protocol):
    doc_id: str
    start: int
    end: int
    text: str


def _closes_quote(text: str) -> bool:
    """The sentence ends a quote that began in the sentence before: its first German quote mark
    is a closing “, or it has an odd number of straight quotes and does not start with one."""
    german = re.search(r"[„“]", text)
    if german:
        return german.group(0) == "“"
    return text.count('"') % 2 == 1 and not text.startswith('"')


def _next_statement(i: int, seq: list[Sentence]) -> Sentence | None:
    """The sentence after seq[i] with the same speaker by pronoun ("…, sagte er."), across a photo
    caption or two set between them (lines without a full stop)."""
    c = seq[i]
    for n in seq[i + 1:i + 5]:
        if n.start - c.end > 400:
            return None
        if _ENDS.search(n.text) and not _CREDIT.search(n.text):
            return n if _PRONOUN_SAID.search(n.text) else None
    return None


def _prev_statement(i: int, seq: list[Sentence]) -> Sentence | None:
    """The sentence before seq[i], across a photo caption or credit set between them."""
    end = seq[i].start
    for p in reversed(seq[max(0, i - 4):i]):
        if end - p.end > 400:
            return None
        if _ENDS.search(p.text) and not _CREDIT.search(p.text):
            return p
        end = p.start
    return None


def neighbours(c: Sentence, by_doc: dict[str, list[Sentence]], statements: bool = False) -> list[Sentence]:
    """The sentence before (a pronoun, a quote's second half) or after (the quote a statement
    announces, or the speaker of a quote), following a quote until its speaker is named.
    statements: also the next statement of the same speaker, given by pronoun."""
    seq = by_doc[c.doc_id]
    i = seq.index(c)
    prev = seq[i - 1] if i > 0 and c.start - seq[i - 1].end <= 3 else None
    out = []
    nxt_said = _next_statement(i, seq) if statements and (SPEECH.search(c.text) or _SAID.search(c.text)) else None
    if nxt_said is not None:
        out.append(nxt_said)
    if prev and (_NEEDS_PREV.match(c.text) or (_SAID.search(c.text) and _closes_quote(c.text))):
        out.append(prev)
    elif _PRONOUN_SAID.search(c.text):  # "„…“, fügte er hinzu.": the sentence that says who "er" is
        said_by = _prev_statement(i, seq)
        if said_by is not None:
            out.append(said_by)
    cur, hops = c, 0
    while hops < 2:  # "X bekräftigte ... Haltung." „Quote one. „Quote two“, sagte Y.
        j = seq.index(cur)
        nxt = seq[j + 1] if j + 1 < len(seq) and seq[j + 1].start - cur.end <= 3 else None
        announces = cur is c and SPEECH.search(cur.text) and nxt is not None and _OPEN_QUOTE.match(nxt.text)
        open_quote = _OPEN_QUOTE.match(cur.text) and not _SAID.search(cur.text)
        if not nxt or not (announces or open_quote):
            break
        out.append(nxt)
        cur, hops = nxt, hops + 1
    return out
