"""Key terms across English and German: the names, countries, offices and numbers a question asks
about or an answer claims, and whether a German sentence contains them ("Beijing" = "Peking",
"Japan's" = "japanische", "11,000" = "11.000"). Used to pick evidence, to abstain when the
evidence lacks what the question is about, and to check every figure and name an answer writes.
The word lists it matches against live in rag.vocab."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .vocab import COUNT_Q, DISTANCE, EVENTS, FAR_Q, GROUPS, MANY_Q, MONEY, MONEY_Q, THINGS, fold  # noqa: F401 - T.MANY_Q etc.

_WORD = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)


def gives(measure: re.Pattern, text: str) -> bool:
    """The text states a figure in that measure ("50 Kilometer", "9 Milliarden US-Dollar")."""
    return bool(numbers(text)) and bool(measure.search(text))


def measure(question: str) -> re.Pattern | None:
    """What a figure must measure to answer: a distance ("how far"), money ("how much money"), else None."""
    if FAR_Q.search(question):
        return DISTANCE
    return MONEY if COUNT_Q.search(question) and MONEY_Q.search(question) else None


@dataclass(frozen=True)
class Term:
    text: str  # as written in the question
    kind: str  # "entity" (country, office, unit), "event" (killed, paid, ...), "thing" (tanks, population, ...),
    # "name" (rare capitalised word), "number"
    forms: tuple[str, ...]  # folded spellings, any of which may start a word of the text


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


def _group_of(word: str) -> tuple[str, ...] | None:
    w = fold(word)
    for g in GROUPS:
        if any(w == m or (" " not in m and len(m) >= 4 and w.startswith(m)) for m in g):
            return g
    return None


def _zipf(word: str, lang: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # without the frequency list every capitalised word counts as a name
        return 0.0
    return zipf_frequency(word, lang)


_INFLECTIONS = ("n", "en", "e", "s", "es", "er", "ern", "ns")


@lru_cache(maxsize=8192)
def _common(word: str, lang: str = "de", depth: int = 0) -> bool:
    """An everyday word of the language ('Ministry', 'Truppen'), also inflected ('Artikeln') or a
    German compound of everyday words ('Kriegsbeginn', 'Außenamtssprecher'): it names no particular
    person or place, so the evidence need not repeat it. A name ('Scholz', 'Jinping') is none of these."""
    w = word.lower()
    langs = {lang, "en", "de"}  # questions and answers mix the two ("Was sagte the ministry")
    if max(_zipf(w, x) for x in langs) >= 4.0:
        return True
    # short words are left alone: a name such as "Macron" would otherwise pass as "macro" + "n"
    if len(w) >= 7 and any(w.endswith(x) and _zipf(w[: -len(x)], "de") >= 4.0 for x in _INFLECTIONS):
        return True
    if depth >= 2 or len(w) < 8:
        return False
    for i in range(3, len(w) - 3):
        head, tail = w[:i], w[i:]
        if (_zipf(head, "de") >= 4.0 or (head.endswith("s") and _zipf(head[:-1], "de") >= 4.0)) \
                and _common(tail, "de", depth + 1):
            return True
    return False


def _listed(word: str, groups: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    w = fold(word)
    return next((g for g in groups if w in g), None)


def key_terms(question: str, lang: str = "en") -> list[Term]:
    """Countries, offices and known names (via the groups), rare capitalised words and figures."""
    terms: list[Term] = []
    low = fold(question)
    for g in GROUPS:
        hit = next((m for m in g if " " in m and m in low), None)
        if hit:
            terms.append(Term(hit, "entity", g))
    seen = {f for t in terms for f in t.forms}
    tails = tuple(t.text.split()[-1] for t in terms)  # "Koreans" goes on "north korea", it names nothing new
    words = _WORD.findall(question)
    for i, w in enumerate(words):
        g = _group_of(w)
        kind, g = ("entity", g) if g else ("event", _listed(w, EVENTS))
        kind, g = (kind, g) if g else ("thing", _listed(w, THINGS))
        if g:
            if not seen.intersection(g):
                terms.append(Term(w, kind, g))
                seen.update(g)
            continue
        # "US-Außenministerium", "CNN-Bericht": each part on its own
        for part in (w.split("-") if i > 0 or "-" in w else []):
            # an acronym ("CNN", "KBS") names one broadcaster or body however often it is written
            acronym = part.isalpha() and part.isupper() and len(part) <= 5
            if len(part) > 2 and part[0].isupper() and not _group_of(part) \
                    and (acronym or not _common(part, lang)) and fold(part) not in seen \
                    and not fold(part).startswith(tails):
                terms.append(Term(part, "name", (fold(part),)))
                seen.add(fold(part))
    terms += [Term(n, "number", (n,)) for n in sorted(numbers(question))]
    return terms


def _stem_ok(form: str, word: str) -> bool:
    # German inflection and compounds: 'soldat' matches 'soldaten', 'generaelen' 'general'
    return word.startswith(form) or (len(form) >= 6 and word.startswith(form[: max(5, len(form) - 2)]))


def _translit(w: str) -> str:
    # the same name transliterated into English or German: Wolodymyr/Volodymyr, Sybiga/Sybiha
    for a, b in (("sch", "sh"), ("tsch", "ch"), ("w", "v"), ("j", "y"), ("z", "s"), ("k", "c"), ("ph", "f")):
        w = w.replace(a, b)
    return w


# endings of an inflected event word: 'gefallenen', 'starben', 'killed', 'captured', 'paying'
_EVENT_ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "t", "et", "te", "ten", "d", "ed", "ing")
# other words that look like an inflected event word: 'gehalten' (held) is no salary, 'wind' no win
_NOT_EVENT = {"gehalten", "wind", "winds", "wine", "wines"}


# "the two sides" is "die beiden Seiten": for grounding a two, not a figure of its own ("both")
_BOTH = {"beide", "beiden", "beider", "beides", "both"}


def present(term: Term, text: str) -> bool:
    if term.kind == "number":
        return term.forms[0] in numbers(text) or (term.forms[0] == "2" and not _BOTH.isdisjoint(
            re.findall(r"\w+", text.lower())))
    low = fold(text)
    words = re.findall(r"\w+", low)
    if term.kind == "thing":  # a noun: the word itself, inflected, or either end of a compound
        # ("Langstreckenraketen", "Raketenangriff"; a short one only whole: 'tank' is no 'Tankstelle')
        return any((len(f) >= 6 and w.startswith(f))
                   or any(w.endswith(f + x) and (len(w) == len(f + x) or len(w) - len(f + x) >= 3) for x in _EVENT_ENDINGS)
                   for f in term.forms for w in words)
    if term.kind == "event":
        # event words are short and begin many others ('sold' -> 'Soldaten', 'win' -> 'Winter'):
        # only the word itself, inflected
        return any(w.startswith(f) and w[len(f):] in _EVENT_ENDINGS and w not in _NOT_EVENT
                   for f in term.forms for w in words)
    for f in term.forms:
        if " " in f:
            if f in low:
                return True
        elif any(_stem_ok(f, w) for w in words):
            return True
    if term.kind == "name" and len(term.forms[0]) >= 5:  # short names and acronyms: no fuzzy match ("CNN" ~ "kann")
        from difflib import SequenceMatcher
        f = _translit(term.forms[0])
        return any(abs(len(w) - len(f)) <= 3 and SequenceMatcher(None, f, _translit(w)).ratio() >= 0.8
                   for w in words if w[:1] == f[:1] or _translit(w)[:1] == f[:1])
    return False


def missing(terms: list[Term], texts: list[str]) -> list[Term]:
    """The terms that none of the texts contains."""
    return [t for t in terms if not any(present(t, x) for x in texts)]
