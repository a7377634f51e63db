"""Key terms across English and German: the names, countries, offices and numbers a question asks
about or an answer claims, and whether a German sentence contains them ("Beijing" = "Peking",
"Japan's" = "japanische", "11,000" = "11.000"). Used to pick evidence, to abstain when the
evidence lacks what the question is about, and to check every figure and name an answer writes.
The word lists it matches against live in rag.vocab."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .figures import counts, gives, measure, number_value, numbers  # noqa: F401 - T.numbers etc.
from .vocab import CAPITALS, COUNT_Q, DISTANCE, EVENTS, GROUPS, MANY_Q, MONEY, MONEY_Q, SAY_Q, THINGS, TITLES, fold  # noqa: F401 - T.MANY_Q etc.

_WORD = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)
# two capitalised words in a row, an initial between them skipped ("Robert A. Wood"): where a
# person's name stands (in German also a noun after another, "Sprecher Lin")
NAME_PAIR = re.compile(r"(?=\b([A-ZÄÖÜ][\w'-]+)\s+(?:[A-Z]\.\s+)?([A-ZÄÖÜ][\w'-]+))")


@dataclass(frozen=True)
class Term:
    text: str  # as written in the question
    kind: str  # "entity" (country, office, unit), "event" (killed, paid, ...), "thing" (tanks, population, ...),
    # "name" (rare capitalised word), "number"
    forms: tuple[str, ...]  # folded spellings, any of which may start a word of the text


def group_of(word: str) -> tuple[str, ...] | None:
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


def key_terms(question: str, lang: str = "en", pairs: bool = True) -> list[Term]:
    """Countries, offices and known names (via the groups), rare capitalised words and figures; with
    `pairs`, in a question for what someone said, an English name of everyday words too ("What did
    Lloyd Austin say?"): not elsewhere, where English renders German proper nouns ("North Atlantic
    Council" for "Nordatlantikrat", "Institute for East Asian Studies"), nor in an answer's sentences."""
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
        g = group_of(w)
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
            if len(part) > 2 and part[0].isupper() and not group_of(part) \
                    and (acronym or not _common(part, lang)) and fold(part) not in seen \
                    and not fold(part).startswith(tails):
                terms.append(Term(part, "name", (fold(part),)))
                seen.add(fold(part))
    if pairs and lang == "en" and SAY_Q.search(question):
        # English capitalises names, not nouns: "Lloyd Austin", "Robert A. Wood" name someone even
        # where each word is an everyday one (the surname is the term); a pair whose last word is
        # German rather than English ("Nach Angaben") is none
        text = question
        for t in terms:  # "North Korean", "Secretary General": a country or office, no name
            text = re.sub(rf"\b{re.escape(t.text)}\w*", ",", text, flags=re.I) if " " in t.text else text
        for m in NAME_PAIR.finditer(text):
            first, last = m.group(1), m.group(2)
            opening = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".!?:"
            if {fold(first), fold(last)} & (TITLES | seen) or group_of(first) or group_of(last) \
                    or _zipf(last.lower(), "de") > _zipf(last.lower(), "en") \
                    or (opening and _zipf(first.lower(), "en") >= 5.0):  # "Did Lloyd …", "Has North …"
                continue
            terms.append(Term(f"{first} {last}", "name", (fold(last),)))
            seen.add(fold(last))
    terms += [Term(n, "number", (n,)) for n in sorted(numbers(question))]
    return terms


def place(t: Term) -> Term:
    """A capital named stands for itself, not for its country: a distance to Moscow is none to Kursk,
    and a visit to Moscow is not one to Pjöngjang with the Russian president."""
    capital = tuple(f for f in t.forms if f in CAPITALS)
    return Term(t.text, t.kind, capital) if capital and fold(t.text).startswith(capital) else t


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
