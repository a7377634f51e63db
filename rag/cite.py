"""Stage 8: citations are the pipeline's job, not the model's luck.

Every figure, name, country and office an answer sentence states must appear in the evidence
sentence it cites (11,000 = 11.000, Beijing = Peking; similarity alone passes invented claims);
a `[n]` out of range is dropped.
A sentence that cites the wrong evidence is re-cited to the one that holds its facts and says
much the same, one that cites nothing gets the evidence that does, and one that no evidence
supports is removed; one that copies a sentence it cites keeps that citation alone. An answer to
"what did X say" whose citations never let X speak, or to "what is the name of" that names no one,
is withdrawn (rag.attribution). The predicates on a sentence live in rag.claims; reading the
markers in rag.markers; the pipeline's own words around the evidence it quotes in rag.quotes.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import lang as L  # noqa: N812 - the module stays distinct from the `lang` parameters
from . import claims as C
from . import terms as T
from .attribution import withdrawn
from .markers import parse, strip_markers
from .quotes import lead as _lead, quote as _quote, ranked as _ranked
from .types import Evidence
from .vocab import WHO_IS_Q

SimFn = Callable[[Sequence[str], Sequence[Evidence]], np.ndarray]


def verify(text: str, evidence: Sequence[Evidence], similarity: SimFn, question: str = "", lang: str = "en",
           threshold: float = 0.35, margin: float = 0.08) -> tuple[str, list[tuple[Evidence, str, float, bool]], dict]:
    """`_verify`, then the answer as a whole: "what did X say" (X a person, an office, a rare name,
    else the question's country) answered only from sentences where X neither is named nor speaks
    reports someone else's words (`speaker`); "what is the name of …" answered without a name
    (`unnamed`): withdrawn, so that the answer falls back to quoting the closest evidence."""
    q_terms = T.key_terms(question, lang) if question else []
    out, cites, stats = _verify(text, evidence, similarity, question, q_terms, lang, threshold, margin)
    why = withdrawn(out, cites, evidence, question, q_terms, lang)
    if why:
        stats[why] = 1
        return "", [], stats
    return out, cites, stats


def _verify(text: str, evidence: Sequence[Evidence], similarity: SimFn, question: str, q_terms: list[T.Term],
            lang: str, threshold: float, margin: float) -> tuple[str, list[tuple[Evidence, str, float, bool]], dict]:
    """Check every sentence of an answer against the evidence it cites, exactly.

    Returns the rewritten answer (verified markers), (evidence, answer sentence, support, attached)
    per citation in first-use order, and counts of what the check did: sentences re-cited to the
    evidence that holds their figures and names, attached where the model cited nothing, dropped
    where no evidence holds them (trimmed to their leading clause where the citation holds that), left
    out as figureless in the answer to a "how many" question or as repeated (the same words again)."""
    stats = {"sentences": 0, "kept": 0, "recited": 0, "attached": 0, "dropped": 0}
    sents = parse(text)
    if not any(C.CJK.search(e.text) for e in evidence):
        sents = [(C.drop_stray_script(s), n) for s, n in sents]
    sents = [(s, n) for s, n in sents if C.is_claim(s)]
    if not sents or not evidence:
        return "", [], stats
    by_number = {e.number: e for e in evidence}
    article_of: dict[str, list[str]] = {}  # per article: its title and its evidence sentences
    for e in evidence:
        article_of.setdefault(e.doc_id, [e.title]).append(e.text)
    sim = similarity([s for s, _ in sents], evidence)
    sent_keys = [C.keys(s, lang) for s, _ in sents]
    has_figure = [any(k.kind == "number" for k in ks) and bool(T.counts(s)) for ks, (s, _) in zip(sent_keys, sents)]
    # a "how many" question is answered by figures: once the answer gives one, its sentences without
    # any ("Selenskyj said this on Monday") cite context, not the answer, and are left out
    figures_only = bool(question and T.MANY_Q.search(question)) and any(has_figure)
    kept, cites, seen = [], [], set()
    kept_src: list[tuple[str, list[int]]] = []  # per kept sentence: its text and what it cites
    # the evidence chosen first as answering the question, when one stands out
    ranked = _ranked(evidence)
    best = ranked[0] if ranked and (len(ranked) == 1 or ranked[0].score > ranked[1].score) else None
    holds_best: list[float | None] = []  # per kept sentence: its likeness to `best` where it copies it
    said: set[str] = set()
    for si, (sent, nums) in enumerate(sents):
        stats["sentences"] += 1
        words = C.wording(sent)
        # the small model now and then writes its answer twice over, or starts a sentence again
        # and is cut off ("Westliche Beobachter behaupteten" after the whole of it)
        if words in said or any(w.startswith(words + " ") for w in said):
            stats["repeated"] = stats.get("repeated", 0) + 1
            continue
        said.add(words)
        keys = sent_keys[si]
        if figures_only and not has_figure[si] and not C.restates(sent, keys, question, q_terms):
            stats["figureless"] = stats.get("figureless", 0) + 1
            continue
        cited = [n for n in dict.fromkeys(nums) if n in by_number]

        def ok(ns, ks=None, row=None):  # ks, row: of a part of the sentence (`head`)
            # figures must be in the cited sentences themselves; a name may also be in a neighbouring
            # sentence of the same article (a quote and its speaker are often two sentences)
            # the article's site and date stand above its sentences in the prompt ("DW, 2020-01-19"):
            # "DW reported on 19 January 2020 ..." is grounded by them too
            texts = [C.with_label(by_number[n]) for n in ns]
            near = texts + [x for n in ns for x in C.around(by_number[n], evidence)]
            article = [x for d in {by_number[n].doc_id for n in ns} for x in article_of[d]]
            ks, row = keys if ks is None else ks, sim[si] if row is None else row
            return (C.grounded([k for k in ks if k.kind == "number"], texts, q_terms)
                    and C.grounded([k for k in ks if k.kind != "number"], near, q_terms, article)
                    and (ks or max(row[n - 1] for n in ns) >= threshold))

        attached = False
        # a citation that holds the sentence's facts but is clearly less like it than another
        # sentence that holds them too points at the wrong place ("no information" cited to the
        # ministry's other statement): the better one replaces it
        better = max((n for n in by_number if ok([n])), key=lambda n: sim[si, n - 1], default=None)
        if cited and ok(cited) and better is not None and better not in cited \
                and sim[si, better - 1] > max(sim[si, n - 1] for n in cited) + margin:
            cited, stats["recited"] = [better], stats["recited"] + 1
        if not (cited and ok(cited)):
            order = sorted(by_number, key=lambda n: -sim[si, n - 1])
            # moved only to a sentence that says much the same: one that merely holds its name
            # ("Japan said it had no information" -> a sentence on Japanese whaling) supports nothing
            fix = next(([n] for n in order if ok([n]) and sim[si, n - 1] >= threshold), None)
            # the model ran on past what it cites ("…, who said on April 15, 2018"): its leading clause
            # stands, with its citation where that holds it, else with the one that holds it and says
            # much the same ("The Russians trained them in Artillerie, …, according to the United States [4]")
            heads = [(h, C.keys(h, lang)) for h in C.leading_clauses(sent)] if fix is None else []
            rows = similarity([h for h, _ in heads], evidence) if heads else []
            head = next(((h, ks, cited) for (h, ks), row in zip(heads, rows) if cited and ok(cited, ks, row)), None)
            for (h, ks), row in zip(heads, rows) if head is None else ():
                n = next((n for n in sorted(by_number, key=lambda n: -row[n - 1]) if ok([n], ks, row)), None)
                if n is not None and row[n - 1] >= threshold:
                    head = (h, ks, [n])
                    break
            if head is not None:
                if head[2] != cited:
                    stats["recited" if cited else "attached"] += 1
                    attached, cited = not cited, head[2]
                (sent, keys, _), stats["trimmed"] = head, stats.get("trimmed", 0) + 1
            elif fix is None:
                stats["dropped"] += 1
                continue
            else:
                stats["recited" if cited else "attached"] += 1
                attached, cited = not cited, fix
        # a sentence that copies one of the sentences it cites comes from that one: the others the
        # model put beside it ("… Verteidigungshilfe [3] [1]") point the reader at text that says something else
        copy = next((n for n in cited if C.copies(sent, by_number[n]) and ok([n])), None) if len(cited) > 1 else None
        if copy is not None:
            cited, stats["pruned"] = [copy], stats.get("pruned", 0) + 1
        # "Lin Jian said that China plays a decisive role … [2] [1]": Rutte's words in [2], the name from [1]
        if len(cited) > 1 and not C.voiced(sent, keys, by_number[max(cited, key=lambda n: sim[si, n - 1])], evidence):
            stats["dropped"] += 1
            continue
        stats["kept"] += 1
        if C.restates(sent, keys, question, q_terms):  # answers nothing: what it cites does, in its own words
            sent = f"{sent.rstrip(' .:')}: {_quote(by_number[cited[0]])}"
            stats["quoted"] = stats.get("quoted", 0) + 1
        kept.append(sent + "".join(f" [{n}]" for n in cited))
        kept_src.append((sent, cited))
        holds_best.append(float(sim[si, best.number - 1]) if best is not None and best.number not in cited
                          and ok([best.number]) and C.copies(sent, best) else None)
        for n in cited:
            if n not in seen:
                seen.add(n)
                cites.append((by_number[n], sent, float(sim[si, n - 1]), attached))
    # "how far" answered without any distance ("how much money" without an amount, "how many" without a
    # count, "where" without a place) has not been answered, whatever it cites: the evidence that gives
    # one is shown, quoted; first the one that names the question's source nearby ("laut dem CNN-Bericht")
    need = C.figure_asked(question) if question else None
    holder = None
    if kept and need is not None and not any(need(sent) for sent, _ in kept_src):
        named = [t for t in q_terms if t.kind in ("entity", "name")]
        pool = [e for e in [*ranked, *(e for e in evidence if e.neighbour)] if need(e.text)]
        if WHO_IS_Q.search(question):  # the role of the one asked about, not anyone's
            pool = [e for e in pool if C.naming(e, evidence, named)]
        # max keeps the best-ranked of equals
        holder = max(pool, key=lambda e: C.naming(e, evidence, named), default=None)
        if holder is not None:
            stats["measure"] = 1
    foreign = bool(kept) and L.dominant(" ".join(strip_markers(k) for k in kept), lang) != lang
    copied = [next((n for n in ns if C.copies(sent, by_number[n])), None) for sent, ns in kept_src] if foreign else []
    if foreign and all(copied):
        # the model copied the articles' sentences in their language for a reader of another: shown
        # as what they are, quotes, under a lead in the reader's language (never silently foreign text)
        quoted = [by_number[n] for n in dict.fromkeys(copied)]
        if holder is not None and holder not in quoted:
            quoted.append(holder)
            if holder.number not in seen:  # cited, but the figure it gives was left out
                cites.append((holder, _quote(holder), 1.0, True))
        if best is not None and best not in quoted:  # as the check adds it to any answer
            quoted.append(best)
            cites.append((best, _quote(best), 1.0, True))
            stats["added"] = stats.get("added", 0) + 1
        kept = [f"{_lead(lang, quoted, whole=True)} " + " ".join(f"{_quote(e)} [{e.number}]" for e in quoted)]
        stats["language"] = 1
        return " ".join(kept), cites, stats
    if holder is not None:
        kept.append(f"{_lead(lang, [holder])} {_quote(holder)} [{holder.number}]")
        if holder.number not in seen:
            cites.append((holder, kept[-1], 1.0, True))
        seen.add(holder.number)
    if kept and best is not None and best.number not in seen and holder is None:  # the best lacks the measure
        # the model skipped the best evidence (it copied a neighbouring statement, or left the
        # figure out): a sentence that already says it gets its number, else it is shown quoted
        i = next((i for i, h in enumerate(holds_best) if h is not None), None)
        if i is not None:
            kept[i] += f" [{best.number}]"
            cites.append((best, strip_markers(kept[i]), holds_best[i], True))
        else:
            kept.append(f"{_lead(lang, [best])} {_quote(best)} [{best.number}]")
            cites.append((best, kept[-1], 1.0, True))
        stats["added"] = stats.get("added", 0) + 1
    return " ".join(kept), cites, stats
