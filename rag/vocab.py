"""The word lists behind key terms: groups of English and German spellings that name one thing
("Beijing" = "Peking") and the events an answer must be backed on, stored folded (lower case,
umlauts spelled out) as rag.terms compares them. Data apart from the matching logic, so a group
is added without reading the code that uses it."""
from __future__ import annotations

import re
import unicodedata

# Each line one group: spellings and adjective stems that name one thing in English or German.
# A term matches a text when a word of the text starts with a member (a phrase: contains it).
_GROUPS = """
china, chinese, chines, peking, beijing, vrc, prc
russia, russian, russland, russisch, moskau, moscow, kreml, kremlin
north korea, north korean, nordkorea, dvrk, dprk, pjöngjang, pjongjang, pyongyang
south korea, south korean, südkorea, seoul
usa, united states, vereinigte staaten, vereinigten staaten, amerikan, american, washington
ukrain, kiew, kyiv, kiev
japan, tokio, tokyo
india, indien, indisch
germany, german, deutschland, deutsch, berlin
france, french, frankreich, französisch, paris
britain, british, united kingdom, großbritannien, britisch, london
iran, teheran, tehran
israel
turkey, turkish, türkei, türkisch, ankara
poland, polish, polen, polnisch, warschau, warsaw
italy, italian, italien, rom, rome
spain, spanish, spanien, spanisch, madrid
canada, canadian, kanada, kanadisch
australia, australien
brazil, brasilien
mexico, mexican, mexiko, mexikan
egypt, ägypten, ägyptisch
taiwan, taipeh, taipei
vietnam
pakistan
saudi
syria, syrien, syrisch
belarus, weißrussland, minsk
europe, european, europa, europäisch
nato
united nations, vereinte nationen, vereinten nationen, uno
european union, europäische union
kursk
kharkiv, charkiw, charkow, kharkov
zelensky, zelenskyy, selenskyj
prime minister, premierminister, ministerpräsident, regierungschef
defence minister, defense minister, verteidigungsminister
foreign minister, secretary of state, außenminister
chancellor, kanzler
ambassador, botschafter
parliament, parlament, duma
general secretary, secretary general, generalsekretär
dollar, us-dollar, usd
euro
billion, milliarde, mrd
million, millionen, mio
percent, prozent
"""
# Events a question can ask about that the articles may simply not report; an answer claiming one
# must cite a sentence that reports it.
_EVENTS = """
killed, kill, dead, died, death, tote, getötete, getötet, gefallen, gefallene, starb, starben, sterben, gestorben
captured, prisoner, prisoners, gefangen, gefangene, gefangenschaft, kriegsgefangene
arrive, arrived, arrival, ankunft, angekommen, eingetroffen
paid, pay, pays, salary, zahlt, bezahlt, sold, gehalt
ratified, ratify, ratifiziert, ratifizierung
won, win, winner, gewann, gewonnen, sieger
"""


def fold(text: str) -> str:
    """Lower case, umlauts and accents folded, apostrophe-s dropped: 'Japan's' -> 'japan'."""
    t = text.lower().replace("ß", "ss").replace("’", "'")
    t = re.sub(r"'s\b", "", t)
    t = t.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))


def _parse(block: str) -> list[tuple[str, ...]]:
    return [tuple(dict.fromkeys(fold(m.strip()) for m in line.split(","))) for line in block.strip().splitlines()]


GROUPS = _parse(_GROUPS)
EVENTS = _parse(_EVENTS)
