"""Stage 6a: choose the evidence before anything is written ("attribute first, then generate").

From the sentences of the retrieved passages (their vectors are stored in the index, so nothing is
embedded here) pick the few that answer the question: the best one of every article that has a
strong one (so "what did X say" gathers every source), one for each name the question asks about,
then the next best, within a character budget the 2-core CPU can read in a few seconds. A sentence
that needs its neighbour to be understood (a pronoun, a quote whose speaker follows) brings it along.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import claims as C
from . import neighbours as N
from . import terms as T
from .types import Evidence, Passage
from .vocab import FIGURE_Q, SAY_Q

# an office or body that speaks for a country: "das chinesische Außenministerium", "Sprecher der
# chinesischen Botschaft" (the country as speaker, not as the topic of someone else's statement)
_SPEAKER = r"(ministeri|sprecher|botschaft|regierung|minister|präsident|führung|behörde|ministry|spokes|embassy|government)"


@dataclass
class _Cand:
    doc_id: str
    chunk_id: str
    start: int
    end: int
    text: str
    sem: float
    rank: int
    score: float = 0.0
    vecs: np.ndarray | None = None  # the sentence's vector and its clauses' (store.base.fold_clauses)

    def sim(self, v: np.ndarray) -> float:
        """Closeness to a query: the sentence's or its closest clause's, whichever is closer."""
        return float(np.max(self.vecs @ v))


def _candidates(passages: Sequence[Passage], sentences: Sequence[tuple[dict, np.ndarray]],
                qv: np.ndarray) -> list[_Cand]:
    rank_of = {p.chunk_id: i for i, p in enumerate(passages)}
    by_key: dict[tuple[str, int], _Cand] = {}
    for pl, vec in sentences:
        if not C.is_claim(pl["text"]):  # a page's furniture ("Ähnliche Artikel", "Pressemitteilung") states nothing
            continue
        r = rank_of.get(pl["chunk_id"], len(passages))
        key = (pl["doc_id"], pl["start"])
        if key in by_key and by_key[key].rank <= r:
            continue  # overlapping passages share sentences: keep the better-ranked passage
        vecs = np.vstack([vec, pl["clauses"]]) if "clauses" in pl else vec[None, :]
        by_key[key] = _Cand(pl["doc_id"], pl["chunk_id"], pl["start"], pl["end"], pl["text"],
                            float(np.max(vecs @ qv)), r, vecs=vecs)
    return sorted(by_key.values(), key=lambda c: (c.doc_id, c.start))


def _cover(cands: Sequence[_Cand], hits: dict[int, list[bool]], ks: set[int]) -> dict[str, set[int]]:
    """Per article: which of the terms `ks` (indices into the key terms) its sentences name."""
    cover: dict[str, set[int]] = {}
    for c in cands:
        cover.setdefault(c.doc_id, set()).update(k for k in ks if hits[id(c)][k])
    return cover


def _apart(keys: list[T.Term], cands: Sequence[_Cand], hits: dict[int, list[bool]]) -> list[T.Term]:
    """The question's terms that no one article holds together (Lawrow named in one, the North Korean
    troops in others): one term naming those the closest article has and lacks ("Lawrow +
    nordkoreanische"), for the abstention to say so; none when one article holds them all."""
    named = [k for k, t in enumerate(keys) if t.kind != "number"]
    if len(named) < 2:
        return []
    cover = _cover(cands, hits, set(named))
    closest = max(cover.values(), key=len, default=set())
    lack = [keys[k].text for k in named if k not in closest]
    if not lack or not closest:
        return []
    head = max(closest, key=lambda k: (keys[k].kind == "name", k))  # "Sergej Lawrow": the surname
    return [T.Term(" + ".join([keys[head].text, *lack]), "together", ())]


def select(question: str, lang: str, qv: np.ndarray, passages: Sequence[Passage],
           sentences: Sequence[tuple[dict, np.ndarray]], budget_chars: int = 800, spread: float = 0.12,
           per_doc_spread: float = 0.06, term_weight: float = 0.15,
           cue_weight: float = 0.04, rare_share: float = 0.25, follow_statements: bool = True,
           context: Callable[[str], Sequence[tuple[dict, np.ndarray]]] | None = None,
           part_vectors: Sequence[np.ndarray] = (), part_floor: float = 0.45) -> tuple[list[Evidence], list[T.Term]]:
    """Returns the numbered evidence (grouped by article, in article order) and the key terms of
    the question that no sentence of the retrieved passages contains. `context(doc_id)` gives all
    sentences of an article, for neighbours outside the retrieved passages; `part_vectors` the
    query vectors of the further things the question asks (rag.question.parts)."""
    cands = _candidates(passages, sentences, qv)
    if not cands:
        return [], []
    keys = [t for t in T.key_terms(question, lang) if t.kind != "number" or len(t.forms[0]) > 1]
    hits = {id(c): [T.present(t, c.text) for t in keys] for c in cands}
    # a term most candidates share ("North Korea" here) says little; a rare one ("Seoul") a lot
    df = [sum(hits[id(c)][k] for c in cands) for k in range(len(keys))]  # candidates holding each term
    idf = [math.log((1 + len(cands)) / (1 + n)) + 0.1 for n in df]
    say_q, count_q = bool(SAY_Q.search(question)), bool(FIGURE_Q.search(question))
    amount_q = bool(T.COUNT_Q.search(question))
    # the figure must be of the measure asked about: a distance, or money for "how much money"
    measure = T.measure(question)
    entities = [t for t in keys if t.kind in ("entity", "name")]

    def speaks(text: str) -> bool:
        low = T.fold(text)
        return any(re.search(rf"\b{re.escape(f)}\w*\W+(?:\w+\W+){{0,2}}?\w*{_SPEAKER}|{_SPEAKER}\w*\W+(?:\w+\W+){{0,2}}?{re.escape(f)}", low)
                   for t in entities for f in t.forms)

    for c in cands:
        h = hits[id(c)]
        c.score = (c.sem + (term_weight * sum(w for w, x in zip(idf, h) if x) / sum(idf) if keys else 0.0)
                   + 0.01 / (1 + c.rank)
                   + (cue_weight if say_q and N.SPEECH.search(c.text) else 0.0)
                   + (cue_weight if say_q and speaks(c.text) else 0.0)
                   + (cue_weight if count_q and (T.gives(measure, c.text) if measure else T.numbers(c.text))
                      else 0.0))
    missing = T.missing(keys, [c.text for c in cands])
    if amount_q:  # "how many were killed": the event must come with a count (a year is none), in an
        # article that names whom the question asks about (not the killed of another war beside them)
        about = {k for k, t in enumerate(keys) if t.kind in ("entity", "name")}
        named = {d for d, ks in _cover(cands, hits, about).items() if ks == about}
        missing += [t for t in keys if t.kind in ("event", "thing") and t not in missing
                    and not any(c.doc_id in named and T.counts(c.text) and T.present(t, c.text) for c in cands)]
    if say_q and not missing:  # "what did X say about Y": X and Y in one article, not each in its own
        missing += _apart(keys, cands, hits)
    if measure is T.DISTANCE and entities and not missing:  # a distance is between the places asked
        # about: "50 Kilometer von der ukrainischen Grenze", said of Kursk, is no distance to Moscow
        places = [T.place(t) for t in entities]
        # the place may stand in the sentence beside ("… 50 Kilometer entfernt. Das berichtete CNN über Kursk.")
        if not any(T.gives(T.DISTANCE, c.text) and all(any(T.present(t, x) for x in C.with_beside(c, cands)) for t in places)
                   for c in cands):
            word = "Entfernung" if lang == "de" else "distance"
            missing.append(T.Term(" + ".join([word, *(t.text for t in entities)]), "together", ()))
    ranked = sorted(cands, key=lambda c: -c.score)
    best = ranked[0].score
    chosen: list[_Cand] = []
    used = 0

    def take(c: _Cand, slack: float = 1.0) -> bool:
        nonlocal used
        if c in chosen or used + len(c.text) > budget_chars * slack:
            return False
        chosen.append(c)
        used += len(c.text)
        return True

    take(ranked[0], slack=10.0)  # the best sentence goes in whatever its length
    # a person the question names, or a place/office few sentences mention ("what number does Seoul
    # give?" among many sentences on North Korea): the best sentence that names it comes next
    rare = {k for k, t in enumerate(keys) if t.kind == "entity" and df[k] <= rare_share * len(cands)}
    for k, t in enumerate(keys):
        if (t.kind == "name" or k in rare) and not any(T.present(t, c.text) for c in chosen):
            hit = next((c for c in ranked if T.present(t, c.text)), None)
            if hit:
                take(hit, slack=1.5)
    # "…, and how did the Kremlin react?": the sentence that answers the second part ("Der Kreml
    # dementierte den Bericht.") is far less like the whole question than the first part's
    for pv in part_vectors:
        hit = max(cands, key=lambda c: c.sim(pv))
        if hit.sim(pv) >= part_floor:
            take(hit, slack=1.5)
    for doc in dict.fromkeys(c.doc_id for c in ranked):  # every source with a strong sentence
        top = next(c for c in ranked if c.doc_id == doc)
        if top.score >= best - per_doc_spread:
            take(top)
    for c in ranked:
        if c.score < best - spread:
            break
        take(c)
    by_doc: dict[str, list[_Cand]] = {}
    for c in cands:
        by_doc.setdefault(c.doc_id, []).append(c)
    if context is not None:  # the whole article around each chosen sentence: a quote's speaker may
        # stand in a passage the search did not return
        for doc in {c.doc_id for c in chosen}:
            known = {c.start: c for c in by_doc[doc]}
            extra = [c for c in _candidates(passages, context(doc), qv) if c.start not in known]
            by_doc[doc] = sorted([*by_doc[doc], *extra], key=lambda c: c.start)
    # "what did X say": X's next sentence that goes on "…, sagte er" is X's statement too
    extra = [n for c in list(chosen) for n in N.neighbours(c, by_doc, follow_statements and say_q) if n not in chosen]
    # a quote's speaker or a pronoun's antecedent is what makes the sentence usable: room for it
    neighbours = {id(n) for n in extra if take(n, slack=1.6)}
    if measure is T.MONEY and not any(T.gives(T.MONEY, c.text) for c in chosen):
        said = T.MONEY_Q.search(question)  # "how much … receive" names no money word: the check does
        word = said.group(0) if said else ("Geld" if lang == "de" else "money")
        if T.fold(word) not in {f for t in missing for f in t.forms}:
            missing.append(T.Term(word, "entity", (T.fold(word),)))
    doc_order = list(dict.fromkeys(c.doc_id for c in sorted(chosen, key=lambda c: -c.score)))
    article = {p.doc_id: p for p in passages}
    ordered = sorted(chosen, key=lambda c: (doc_order.index(c.doc_id), c.start))
    return [Evidence(number=i, doc_id=c.doc_id, text=c.text, start=c.start, end=c.end, score=c.score,
                     chunk_id=c.chunk_id, neighbour=id(c) in neighbours,
                     **{k: getattr(article[c.doc_id], k) if c.doc_id in article else ""
                        for k in ("title", "source", "date", "site")})
            for i, c in enumerate(ordered, 1)], missing
