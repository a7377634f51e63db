"""Which language the user wrote in, so the answer and the abstention match it."""
from __future__ import annotations

import re

_WORDS = {
    "en": set("the a an and is are was were what who whom which why how when where did does do say said "
              "about of to on for with from by that this there many much than will would has have had be "
              "been not according between his her their they he she its were any".split()),
    "de": set("der die das den dem des ein eine einen einem einer eines und ist sind war waren was wer "
              "wen wem welche welcher warum wie wann wo hat haben hatte sagte über von zu im am zum zur "
              "vom auf für mit aus bei nach dass viele gibt es nicht auch wird werden wurde wurden sein "
              "seine ihre gegen sich sie er noch schon laut bisher kann soll oder aber als".split()),
}
NAMES = {"en": "English", "de": "German (Deutsch)"}
ABSTAIN = {
    "en": "The articles do not say.",
    "de": "Dazu steht nichts in den Artikeln.",
}


def _function_words(text: str) -> dict[str, int]:
    """Per language, how many of the text's words are its function words."""
    words = re.findall(r"[a-zäöüß]+", text.lower())
    return {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}


def dominant(text: str, default: str = "en") -> str:
    """The language most of a longer text is written in, by its function words alone: an English
    answer keeps German names and terms ("Pjöngjangs troops"), which `detect` would read as German."""
    scores = _function_words(text)
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 and list(scores.values()).count(scores[best]) == 1 else default


def detect(text: str, default: str = "en") -> str:
    """The language of a question: any umlaut or ß says German, else the function words decide."""
    if re.search(r"[äöüß]", text.lower()):
        return "de"
    scores = _function_words(text)
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else default


# "… mentions "Lawrow" together with "nordkoreanische"": terms the articles hold, but never together
_TOGETHER = {"de": ("zusammen mit", "und"), "en": ("together with", "and")}


def abstain_text(lang: str, missing: list[str] | None = None) -> str:
    """The abstention, naming what the articles lack when the pipeline knows it."""
    base = ABSTAIN.get(lang, ABSTAIN["en"])
    if not missing:
        return base
    together, and_ = _TOGETHER.get(lang, _TOGETHER["en"])

    def q(x: str) -> str:
        return f"„{x}“" if lang == "de" else f'"{x}"'

    def named(m: str) -> str:  # "A + B"
        head, *rest = m.split(" + ")
        return q(head) + (f" {together} " + f" {and_} ".join(map(q, rest)) if rest else "")
    names = ", ".join(named(m) for m in missing)
    return base + (f" Keiner der gefundenen Sätze erwähnt {names}." if lang == "de"
                   else f" None of the sentences found mentions {names}.")


def language_name(lang: str) -> str:
    return NAMES.get(lang, "English")
