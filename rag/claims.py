"""What an answer sentence claims, and whether evidence holds it: the predicates the citation check
(rag.cite) applies to every sentence the model wrote, and what an evidence sentence names together
with its article's label and the sentences beside it. Pure functions of text and key terms."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import lang as L  # noqa: N812
from . import terms as T
from .prompt import source_label
from .types import Evidence
from .vocab import CLAUSE_WORDS, DAYS_MONTHS, ROLE, STATES, TITLES, WHERE_Q, WHO_IS_Q

# Han, kana, Hangul and full-width forms: the 1.5B Qwen model now and then slips into them
# mid-sentence ("3人の US-Spitzendiplomaten"); kept only where the passages use them too
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]+")


def drop_stray_script(sentence: str) -> str:
    return re.sub(r"\s{2,}", " ", CJK.sub(" ", sentence)).strip()


def is_claim(sentence: str) -> bool:
    """A bare word ("HACKED", "Yes.") states nothing a passage can support; a number can ("11,000")."""
    return bool(re.search(r"\d", sentence)) or len(re.findall(r"\w{2,}", sentence)) >= 3


# where a sentence goes on with a clause of its own that adds to what it has said: a relative or
# an adverbial clause, or whom it says it is from (", according to the United States"). Not
# "and"/"und" (most often a list: "Russia, China, North Korea, and Iran")
_CLAUSE = re.compile(rf"\s*(?:,|;|\s[-–]\s|\s\()\s*(?=(?:{CLAUSE_WORDS}|laut)\b)", re.I)
# a head that reports what someone said ("Patel said that the troops, who …") is cut inside the words
_REPORTED = re.compile(r"\b(?:that|dass)\b|[:\"„“”«»]")


def leading_clauses(sentence: str) -> list[str]:
    """The sentence cut before each clause that follows its first, longest first: what stands
    where the rest of it is invented ("… the spokesman, who said on April 15, 2018: …"). Only
    cuts that leave at least four words and no reported speech begun."""
    heads = [sentence[:m.start()].rstrip(" ,;:") + "." for m in reversed(list(_CLAUSE.finditer(sentence)))]
    return [h for h in heads if len(re.findall(r"\w+", h)) >= 4 and not _REPORTED.search(h)]


def keys(sentence: str, lang: str) -> list[T.Term]:
    """What an answer sentence claims that its evidence must hold: figures, names, countries, offices."""
    return [T.place(t) for t in T.key_terms(sentence, lang, pairs=False)]


def grounded(keys: list[T.Term], texts: list[str], question_terms: list[T.Term], article: Sequence[str] = ()) -> bool:
    """Every figure and name must be in the cited sentences; a country or office may also come from
    the question itself where the cited article names it elsewhere ('What did China say?' -> 'China
    said ... [2]' where [2] quotes the ministry spokesman and [1] names the Chinese ministry), never
    from the question alone ('Japan said ... [2]' of an article without Japan in it).
    article: the other sentences (and title) of the cited article."""
    q_forms = {f for t in question_terms for f in t.forms}
    for k in keys:
        if any(T.present(k, x) for x in texts):
            continue
        if k.kind == "entity" and q_forms.intersection(k.forms) and any(T.present(k, x) for x in article):
            continue
        return False
    return True


# saying, in the forms that do not share their first letters with the question's ("say" -> "said")
_SAYING = {T.fold(w) for w in ("said", "says", "told", "tells", "sagte", "sagten", "sagt", "erklärte", "erklärten")}


def restates(sentence: str, keys: list[T.Term], question: str, question_terms: list[T.Term]) -> bool:
    """The sentence only says the question back ('The troops are ... from the border.' to 'How far
    are the troops from the border?'): no word of it is new (inflections aside), no name, no figure.
    keys: the sentence's own key terms."""
    if not question:
        return False
    asked = {w[:4] for w in re.findall(r"\w{3,}", T.fold(question))}
    words = [w for w in re.findall(r"\w{4,}", T.fold(sentence)) if w not in _SAYING]
    q_forms = {f for t in question_terms for f in t.forms}
    return (len(words) >= 3 and all(w[:4] in asked for w in words)
            and all(q_forms.intersection(k.forms) for k in keys))


def copies(sentence: str, e: Evidence, share: float = 0.6) -> bool:
    """The sentence repeats most of the evidence sentence's words (a copy, not a paraphrase that
    may leave its point out)."""
    words = {w[:5] for w in re.findall(r"\w{4,}", T.fold(e.text))}
    said = {w[:5] for w in re.findall(r"\w{4,}", T.fold(sentence))}
    return bool(words) and len(words & said) >= share * len(words)


def wording(sentence: str) -> str:
    """The sentence's words alone, case folded: the same statement written twice compares equal."""
    return " ".join(re.findall(r"\w+", sentence.casefold()))


def figure_asked(question: str) -> Callable[[str], bool] | None:
    """What a sentence must state to answer the question at all: a distance ("how far"), an amount
    of money ("how much money"), a count that is no date ("how many"), a role ("who is Mike Waltz?"),
    a place ("where was Blinken …?");
    None where nothing in particular is asked."""
    if WHO_IS_Q.search(question):
        return lambda text: bool(ROLE.search(text))
    if WHERE_Q.search(question):
        return says_where
    need = T.measure(question)
    if need is not None:
        return lambda text: T.gives(need, text)
    return (lambda text: bool(T.counts(text))) if T.MANY_Q.search(question) else None


# a dateline ("BRÜSSEL: Der US-Spitzendiplomat …"), or a capitalised word after a preposition of place
_DATELINE = re.compile(r"^\W*[A-ZÄÖÜ]{3,}[A-ZÄÖÜ -]*:")
_AT = re.compile(r"\b(?:in|at|near|bei|nahe|im|nach|aus|from)\s+(?:(?:der|dem|den|the)\s+)?"
                 r"(?:(?:[Rr]egion|Oblast|Provinz|province|Stadt|city)\s+)?([A-ZÄÖÜ][\w-]+)")


def says_where(text: str) -> bool:
    """The text gives a place: a dateline, a country or city, or (in English, where nouns are not
    capitalised) any name after "in", "at", "near" that is no month or day ("in Brussels")."""
    if _DATELINE.search(text):
        return True
    english = L.dominant(text, "en") == "en"
    return any(T.group_of(w) or (english and w.lower() not in DAYS_MONTHS) for w in _AT.findall(text))


def around(e: Evidence, evidence: Sequence[Evidence]) -> list[str]:
    """The sentences next to e from the same article: where a quote's speaker or a figure's source often stands."""
    return [x.text for x in evidence if x.doc_id == e.doc_id and abs(x.number - e.number) == 1]


def naming(e: Evidence, evidence: Sequence[Evidence], terms: Sequence[T.Term]) -> int:
    """How many of the terms e names, with its article's label, or the sentence beside it names."""
    texts = [with_label(e), *around(e, evidence)]
    return sum(any(T.present(t, x) for x in texts) for t in terms)


def with_label(e: Evidence) -> str:
    label = source_label(e)
    return f"{e.text} ({label})" if label else e.text


def quotes(e: Evidence, evidence: Sequence[Evidence], terms: Sequence[T.Term]) -> bool:
    """e reports the words of someone the terms name: a statement verb and the name in e or in the
    sentence right before or after it in its article (a quote and its speaker are often two
    sentences; evidence numbered next to e may stand paragraphs away, and a sentence that merely
    names him, "Putin und Kim Jong Un unterzeichneten …", says nothing he said)."""
    texts = with_beside(e, evidence)
    return any(STATES.search(x) for x in texts) and any(T.present(t, x) for t in terms for x in texts)


def voiced(sentence: str, keys: Sequence[T.Term], e: Evidence, evidence: Sequence[Evidence]) -> bool:
    """A statement ("X said …") whose words come from e gives them to the speaker e (or the sentence
    beside it) names: one speaker's words are not given to another named in a second citation.
    keys: the sentence's own key terms; a sentence that names no one or states nothing passes."""
    named = [k for k in keys if k.kind == "name"]
    return not (named and STATES.search(sentence)) or any(
        T.present(k, x) for k in named for x in with_beside(e, evidence))


def with_beside(e: Evidence, evidence: Sequence[Evidence]) -> list[str]:
    """e and the evidence sentences right before and after it in its article (not merely numbered next to it).
    Any sentences with doc_id, start, end and text will do: evidence selection passes its candidates."""
    return [e.text, *(x.text for x in evidence
                      if x.doc_id == e.doc_id and (0 <= x.start - e.end <= 5 or 0 <= e.start - x.end <= 5))]


def names_someone(text: str, lang: str, question_terms: Sequence[T.Term]) -> bool:
    """The text gives a name the question does not: two capitalised words in a row (T.NAME_PAIR), no country,
    office or body among them, nor any of the question's own terms. In German, where every noun is
    capitalised, one of the two must be a rare word ("Lin Jian", not "Sprecher Außenministerium");
    in English ("Robert A. Wood") mid-sentence capitals are names enough."""
    asked = {f for t in question_terms for f in t.forms}
    for sentence in re.split(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+", text):  # "Robert A. Wood" is one sentence
        german = L.dominant(sentence, lang) == "de"
        for a, b in T.NAME_PAIR.findall(sentence):
            # an acronym ("US", "CNN", "US-Spitzendiplomaten") is a country or a body; a single capital an initial
            if {T.fold(a), T.fold(b)} & TITLES or any(len(p) > 1 and p.isupper() for w in (a, b) for p in w.split("-")):
                continue
            terms = T.key_terms(f"{a} {b}", lang)
            if any(t.kind == "entity" or asked.intersection(t.forms) for t in terms):
                continue
            if any(t.kind == "name" for t in terms) or not german:
                return True
    return False
