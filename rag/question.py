"""Stage 0: the question as typed, checked before anything runs: text, not empty, not huge, not
binary. Each refusal says what to do instead; nothing is retrieved or generated for it."""
from __future__ import annotations

import re

from .errors import InputError
from .vocab import PART_SPLIT, REFERS_BACK


def validate_question(question, max_chars: int) -> str:
    if not isinstance(question, str):
        raise InputError("The question must be text.")
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape
        raise InputError("The question contains characters that are not valid text; please retype it.") from None
    q = question.replace("\x00", "").strip()
    if not q:
        raise InputError("Please type a question.")
    if len(q) > max_chars:
        raise InputError(f"The question is {len(q):,} characters long; the limit is {max_chars:,}. "
                         f"Please shorten it.")
    printable = sum(ch.isprintable() or ch.isspace() for ch in q)
    if printable / len(q) < 0.9 or not re.search(r"\w", q):
        raise InputError("The question does not look like text; please type it in words.")
    return q


def parts(question: str, min_words: int = 3) -> list[str]:
    """The further things a question asks, each of them a question of its own words ("… über ein
    Telefonat zwischen Trump und Putin, und wie reagierte der Kreml?" -> ["wie reagierte der Kreml?"]);
    a part too short to say what it is about ("und von wem?") or one that refers back to the first
    ("and how many of them …") is none: searched alone it finds anything. The first part is the
    question's bulk, which the whole question already stands for."""
    pieces = PART_SPLIT.split(question)
    if len(pieces) < 2 or len(re.findall(r"\w{2,}", pieces[0])) < min_words:
        return []
    return [p.strip() for p in pieces[1:] if len(re.findall(r"\w{2,}", p)) >= min_words
            and not REFERS_BACK.search(p)]
