"""Figures in any spelling: "11.000" = "11,000" = "11000" = "elftausend"'s digits, a count that is no
date ("am 29. Oktober", "2024"), and whether a figure is of the measure a question asks for (a
distance, an amount of money). Used by rag.terms (a figure as a key term) and the citation check."""
from __future__ import annotations

import re

from .vocab import COUNT_Q, DISTANCE, FAR_Q, MONEY, MONEY_Q, MUCH_GOT_Q


def gives(measure: re.Pattern, text: str) -> bool:
    """The text states a figure in that measure ("50 Kilometer", "9 Milliarden US-Dollar")."""
    return bool(numbers(text)) and bool(measure.search(text))


def measure(question: str) -> re.Pattern | None:
    """What a figure must measure to answer: a distance ("how far"), money ("how much money"), else None."""
    if FAR_Q.search(question):
        return DISTANCE
    return MONEY if (COUNT_Q.search(question) and MONEY_Q.search(question)) or MUCH_GOT_Q.search(question) else None


def number_value(token: str) -> str | None:
    """'11.000', '11,000', '11 000' and '11000' -> '11000'; '8,5' stays a decimal ('8.5')."""
    t = token.strip()
    if re.fullmatch(r"\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+", t):
        return re.sub(r"\D", "", t)
    if re.fullmatch(r"\d+[.,]\d+", t):
        return t.replace(",", ".")
    return t if t.isdigit() else None


_NUMBER = re.compile(r"\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+(?!\d)|\d+(?:[.,]\d+)?")
# "one"/"ein" are left out: far more often an article or pronoun than a figure
_WORDNUM = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
            "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "eleven": "11", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7",
            "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwölf": "12", "dozen": "12", "dutzend": "12"}


def numbers(text: str) -> set[str]:
    """Every figure of a text, normalised; number words up to twelve count as figures."""
    out = {v for m in _NUMBER.finditer(text) if (v := number_value(m.group(0)))}
    out |= {_WORDNUM[w] for w in re.findall(r"\w+", text.lower()) if w in _WORDNUM}
    return out


# a day, month or year is no count ("am 29. Oktober", "October 29th", "2024")
_MONTH = r"(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec)[a-zä]*"
_DATE = re.compile(rf"\b\d{{1,2}}(?:\.|st|nd|rd|th)?\s+{_MONTH}\b|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
                   rf"|\b(?:19|20)\d\d\b", re.I)


def counts(text: str) -> set[str]:
    """The figures of a text that are not dates: what answers "how many"."""
    return numbers(_DATE.sub(" ", text))
