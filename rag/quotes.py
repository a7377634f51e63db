"""The pipeline's own words around the evidence it quotes: the quote itself, the lead that introduces
it in the reader's language ("The articles also say (in German):"), and the answer that quotes the
best evidence when nothing the model wrote holds up. Used by the citation check (rag.cite)."""
from __future__ import annotations

from collections.abc import Sequence

from . import lang as L  # noqa: N812 - the module stays distinct from the `lang` parameters
from .markers import strip_markers
from .types import Evidence


_INNER = str.maketrans({"„": "‚", "“": "‘", "”": "’"})


def quote(e: Evidence) -> str:
    # an article's own "[99]" must not read as a citation marker inside the quote; its own quotation
    # marks become the inner ones (German „…“ -> ‚…‘, English “…” -> ‘…’), so that a sentence opening
    # with a quote does not read „„
    text = " ".join(strip_markers(e.text).split()).translate(_INNER)
    return f"„{text}“"


def ranked(evidence: Sequence[Evidence]) -> list[Evidence]:
    """The evidence chosen for its score, best first (neighbours came along for context only)."""
    return sorted((e for e in evidence if not e.neighbour), key=lambda e: -e.score)


# the quotes' language, named in the reader's: "(in German)", "(auf Englisch)"
_LANGUAGE = {"en": {"de": " (in German)", "en": ""}, "de": {"en": " (auf Englisch)", "de": ""}}


def lead(lang: str, quoted: Sequence[Evidence], fallback: bool = False, whole: bool = False) -> str:
    """What introduces evidence the pipeline quotes itself; names the quotes' language when it is
    not the answer's. whole: the quotes are the whole answer, not an addition to it."""
    langs = {L.detect(e.text, lang) for e in quoted}
    note = _LANGUAGE.get(lang, _LANGUAGE["en"]).get(langs.pop(), "") if len(langs) == 1 else ""
    if lang == "de":
        return (f"Direkt steht das nicht in den Artikeln. Am nächsten kommt{note}:" if fallback
                else f"In den Artikeln heißt es{note}:" if whole else f"Dazu heißt es in den Artikeln{note}:")
    return (f"The articles do not say this directly. The closest they come{note}:" if fallback
            else f"The articles say{note}:" if whole else f"The articles also say{note}:")


def quote_fallback(evidence: Sequence[Evidence], lang: str, n: int = 2) -> tuple[str, list[Evidence]]:
    """When no sentence of the model's answer survives the check: the best evidence itself, quoted."""
    top = ranked(evidence)[:n]
    top = sorted(top, key=lambda e: e.number)
    # said as what it is: the model's answer did not hold up, these sentences are the closest evidence
    return lead(lang, top, fallback=True) + " " + " ".join(f"{quote(e)} [{e.number}]" for e in top), top
