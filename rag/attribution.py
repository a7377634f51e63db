"""Who speaks, and whose office it is: the citation check's test of an answer as a whole (rag.cite).
"What did X say" must be answered from a sentence where X speaks, "what is the name of …" by a name,
and an office the question gives to a country ("Russia's defence minister", "der Verteidigungsminister
Nordkoreas") by that country's holder, not by another country's in an article about the first."""
from __future__ import annotations

import re
from collections.abc import Sequence

from . import claims as C
from . import terms as T
from .markers import strip_markers
from .neighbours import SPEECH
from .types import Evidence
from .vocab import NAME_Q, OFFICES, PEOPLE, SAY_Q, fold


def withdrawn(out: str, cites: Sequence[tuple[Evidence, str, float, bool]], evidence: Sequence[Evidence],
              question: str, q_terms: Sequence[T.Term], lang: str) -> str | None:
    """Why the checked answer `out` does not answer the question at all: "speaker" where X of "what did
    X say" (a person, an office, a rare name, else the question's country) speaks in none of the cited
    sentences, "topic" where X speaks but never of the country or name the question says it is about
    ("say about Iran"), "unnamed" where a question for a name gets none or another office holder's; else None.
    cites: (evidence, answer sentence, support, attached by the check) per citation."""
    offices = [t for t in q_terms if t.forms in OFFICES + PEOPLE]
    if SAY_Q.search(question):
        asked = [t for t in q_terms if t.kind == "name" or t in offices] or [t for t in q_terms if t.kind == "entity"]
        # (where the question names the person, the name tells who speaks: "Bundeskanzler Olaf Scholz")
        owned = [*owners(question, q_terms, asked), *owners(question, q_terms, [_PRESIDENT])] \
            if not any(t.kind == "name" for t in asked) else []
        # evidence the check put in itself (the best, quoted) counts only as a statement; whoever is
        # asked about, person, office or country, must speak in what is cited or right beside it: a
        # sentence on Japanese whaling names Japan, and still says nothing Japan said
        beside = {id(e): C.with_beside(e, evidence) for e, *_ in cites}
        speaking = [e for e, _, _, att in cites if C.naming(e, evidence, asked) and (not att or SPEECH.search(e.text))
                    and C.quotes(e, evidence, asked) and holds_office(owned, beside[id(e)], out)]
        if cites and asked and not speaking:
            return "speaker"
        # "What did Matthew Miller say about Iran?": Miller's words on North Korea and Rutte's on Iran, each
        # cited, answer nothing. What the question says it is about ("about Iran", "über die
        # nordkoreanischen Soldaten"), a country or a name, must be in what the person or office
        # asked says, right beside it or in its article's title (a country asked about is `asked`)
        topic = " ".join(_ABOUT.findall(question))
        about = [t for t in q_terms if t.kind in ("entity", "name") and t not in asked and T.present(t, topic)]
        if speaking and about and any(t.kind == "name" or t in offices for t in asked) and not all(
                any(T.present(t, x) for e in speaking for x in [e.title, *beside[id(e)]]) for t in about):
            return "topic"
    # "the name of the Chinese ambassador": the sentence on the meeting calls him "the ambassador"
    if out and NAME_Q.search(question):
        held = owners(question, q_terms, offices)
        if not (C.names_someone(strip_markers(out), lang, q_terms)
                and any(holds_office(held, C.with_beside(e, evidence), out) for e, *_ in cites)):
            return "unnamed"
    return None


# no key term (the model titles people with it: "President Trump" of a sentence that says "Trump"),
# but where a question gives it to a country ("the South Korean president") it is that country's
_PRESIDENT = T.Term("president", "entity", ("president", "praesident"))

# the word a "say about" question is about: the one after the preposition and its article
_ABOUT = re.compile(r"\b(?:about|regarding|concerning|über|zu[mr]?|bezüglich)\s+"
                    r"(?:(?:the|die|der|den|das|dem)\s+)?([\w-]+)", re.I)


def owners(question: str, terms: Sequence[T.Term], offices: Sequence[T.Term]) -> list[tuple[T.Term, T.Term]]:
    """(office, country) where the question gives the office to a country ("Russia's defence minister",
    "der russische Verteidigungsminister", "the foreign minister of Iran")."""
    q = fold(question)
    return [(o, c) for o in offices for c in terms
            if c.kind == "entity" and c not in offices and c.forms in _countries_at(q, o.forms)]


def holds_office(pairs: Sequence[tuple[T.Term, T.Term]], texts: Sequence[str], answer: str = "") -> bool:
    """No office is written as another country's in the evidence texts unless one of them writes it
    as the asked country's too: "US-Verteidigungsminister Austin", or the model's own "The US defence
    minister said …" (the `answer`), is no answer for Russia's; an office with no country beside it
    ("Außenminister Antony Blinken", as an article writes its own country's) is given the benefit of
    the doubt. The answer counts only against: its "the South Korean president said" does not make
    the evidence's "der ukrainische Präsident" South Korea's."""
    for o, c in pairs:
        found = [_countries_at(fold(x), o.forms) for x in texts]
        claimed = _countries_at(fold(answer), o.forms)
        if not any(c.forms in f for f in found) and (any(found) or any(g != c.forms for g in claimed)):
            return False
    return True


def _countries_at(text: str, office: Sequence[str]) -> list[tuple[str, ...]]:
    """The countries written next to the office in the folded text: one of the two words before it
    ("russische Verteidigungsminister", "US-Verteidigungsminister", "Chinas neues Außenministerium",
    "north korea defence minister") or "of …" after it ("the foreign minister of Iran", "Sprecher des
    Außenministeriums Chinas")."""
    o = "|".join(re.escape(f) for f in office)
    words: list[str] = []
    for m in re.finditer(rf"\b(?:{o})", text):
        before = re.findall(r"\w+", text[: m.start()])[-2:]
        after = re.match(r"\w*\s+(?:(?:of|von|des|der)\s+(?:the\s+)?)?(\w+)(?:\s+(\w+))?", text[m.end():])
        words += [*before, " ".join(before)]
        if after:
            words += [after.group(1), " ".join(w for w in after.groups() if w)]
    # "US" is no key term (the English pronoun), but beside an office it is the country: "US-Verteidigungsminister"
    groups = [T.group_of("usa" if w == "us" else w) for w in words]
    return [g for g in groups if g is not None and g not in OFFICES + PEOPLE]
