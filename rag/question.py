"""Stage 0: the question as typed, checked before anything runs: text, not empty, not huge, not
binary. Each refusal says what to do instead; nothing is retrieved or generated for it."""
from __future__ import annotations

import re

from .errors import InputError


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
