"""The word lists behind key terms: groups of English and German spellings that name one thing
("Beijing" = "Peking"), offices among them, and the events an answer must be backed on, stored
folded (lower case, umlauts spelled out) as rag.terms compares them; and the patterns that tell what
a question asks for (a statement, a count, a distance, an amount of money). Data apart from the
matching logic, so a group is added without reading the code that uses it."""
from __future__ import annotations

import re
import unicodedata

# the capitals and seats of government among the groups' members: a distance to Moscow is not one
# to anywhere in Russia
CAPITALS = {"peking", "beijing", "moskau", "moscow", "kreml", "kremlin", "pjoengjang", "pjongjang", "pyongyang", "seoul",
            "washington", "kiew", "kyiv", "kiev", "tokio", "tokyo", "berlin", "paris", "london", "teheran", "tehran",
            "ankara", "warschau", "warsaw", "rom", "rome", "madrid", "taipeh", "taipei"}
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
parliament, parlament, duma
"""
# People whose names are spelled differently in English and German
_PEOPLE = """
zelensky, zelenskyy, selenskyj
"""
# Offices: one person speaks in each, so "what did the defence minister say" is not answered by what
# someone else said, even of the same country.
_OFFICES = """
prime minister, premierminister, ministerpräsident, regierungschef
defence minister, defense minister, verteidigungsminister
foreign minister, secretary of state, außenminister
chancellor, kanzler
ambassador, botschafter
general secretary, secretary general, generalsekretär
pope, papst
king, könig
queen, königin
mayor, bürgermeister, oberbürgermeister
governor, gouverneur
"""
_UNITS = """
dollar, us-dollar, usd
euro
billion, milliarde, mrd
million, millionen, mio
percent, prozent
ruble, rubles, rubel
yuan, renminbi
yen
"""
# Events a question can ask about that the articles may simply not report; an answer claiming one
# must cite a sentence that reports it. "Captured" is a prisoner or a town ("eroberten dort mehr als
# zwei Dutzend Siedlungen"); "gefangen" and "prisoner" only the first.
_EVENTS = """
killed, kill, dead, died, death, tote, getötete, getötet, gefallen, gefallene, starb, starben, sterben, gestorben
prisoner, prisoners, gefangen, gefangene, gefangenschaft, kriegsgefangene
captured, capture, gefangen, gefangene, gefangenschaft, kriegsgefangene, erobert, eingenommen, einnahme
arrive, arrived, arrival, ankunft, angekommen, eingetroffen
paid, pay, pays, salary, zahlt, bezahlt, sold, gehalt
ratified, ratify, ratifiziert, ratifizierung
won, win, winner, gewann, gewonnen, sieger
born, birth, birthday, geboren, geburt, geburtstag
deserted, desert, deserter, deserters, desertion, desertiert, deserteur, deserteure, fahnenflucht
"""
# Things a question can ask about (a count, a fact) that the articles may simply not report: the
# same rule as for events, but nouns, so they match as the head of a German compound too
# ("Langstreckenraketen", "Schwerverletzte"). Not "parties": answers render "alle Beteiligten" so,
# and a sentence is then dropped for a word its evidence has in other words
_THINGS = """
wounded, injured, verwundet, verwundete, verletzt, verletzte
tank, tanks, panzer
missile, missiles, rocket, rockets, rakete, raketen
aircraft, airplane, airplanes, warplane, warplanes, flugzeug, flugzeuge, kampfjet, kampfjets
population, inhabitants, einwohner, bevoelkerung, bewohner
party, partei, parteien
sanction, sanctions, sanktion, sanktionen
ship, ships, warship, warships, navy, submarine, submarines, schiff, schiffe, kriegsschiff, kriegsschiffe, marine, u-boot, u-boote
"""


def fold(text: str) -> str:
    """Lower case, umlauts and accents folded, apostrophe-s dropped: 'Japan's' -> 'japan'."""
    t = text.lower().replace("ß", "ss").replace("’", "'")
    t = re.sub(r"'s\b", "", t)
    t = t.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))


def _parse(block: str) -> list[tuple[str, ...]]:
    return [tuple(dict.fromkeys(fold(m.strip()) for m in line.split(","))) for line in block.strip().splitlines()]


def _countries(known: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Every other country by its English and German name (CLDR, through Babel): "Nigerian" and
    "nigerianisch" begin with "nigeria", so an answer calling someone Nigerian needs a sentence that
    says so. Names the hand-made groups already hold (with their irregular adjectives) are left to them."""
    try:
        from babel import Locale
    except ImportError:  # the hand-made groups alone
        return []
    en, de = Locale("en").territories, Locale("de").territories
    have = {m for g in known for m in g if " " not in m and len(m) >= 4}
    out = []
    for code, name in en.items():
        if len(code) != 2 or not code.isalpha() or code in ("EU", "EZ", "UN", "QO"):  # bodies and regions
            continue
        names = [re.sub(r"\s*\(.*\)", "", n) for n in (name, de.get(code, ""))]  # "Myanmar (Burma)"
        forms = tuple(dict.fromkeys(fold(n) for n in names if len(n) >= 4 and re.fullmatch(r"[^\W\d_][\w -]*", n)))
        if forms and not any(f.startswith(h) or h.startswith(f) for f in forms for h in have):
            out.append(forms)
    return out


OFFICES, PEOPLE = _parse(_OFFICES), _parse(_PEOPLE)
GROUPS = _parse(_GROUPS) + PEOPLE + OFFICES + _parse(_UNITS)
GROUPS += _countries(GROUPS)
EVENTS = _parse(_EVENTS)
THINGS = _parse(_THINGS)
# questions about what someone said
SAY_Q = re.compile(r"\b(say|said|says|stated|statement|respon|react|repl(?:y|ied|ies)|position|stance|sagte|sagt|"
                   r"gesagt|äußert|erklärt|antwortet|erwidert|reagiert|Haltung|Position|Stellung)\w*", re.I)
# a sentence that reports someone's words: "what did Kim Jong Un say" is not answered by a sentence
# that merely names him ("Putin und Kim Jong Un unterzeichneten …")
STATES = re.compile(r"\b(sag|gesagt|erklär|betont|bekräftig|äußer|geäußert|teilte|mitgeteilt|forder|gefordert|verurteil|"
                    r"warnt|gewarnt|kommentier|dementier|bestätig|bezeichne|nannte|genannt|kritisier|behaupte|"
                    r"zufolge|laut|sprach|sprecher|erklärung|interview|appellier|versprach|kündigte|angekündigt|berichte|"
                    r"lehnte|abgelehnt|zurückgewiesen|bedeckt|schweig|funkstille|silen|"
                    r"said|says|say|told|stated?|statement|warn|confirm|den(y|ied)|call(ed|s)|describ|urg|demand|"
                    r"accord|announc|criticiz|claim|insist|spoke|remark|comment|promis|pledg|vow|report|reject|refus|declin)\w*",
                    re.I)
# capitalised words of offices and bodies, not of persons ("State Department", "Security Council"), folded
TITLES = {"department", "ministry", "ministerium", "council", "office", "house", "secretary", "minister", "president",
          "praesident", "ambassador", "botschafter", "spokesman", "spokesperson", "sprecher", "general", "state",
          "states", "union", "nations", "times", "post", "agency", "institute", "institut", "university",
          "universitaet", "center", "fellow", "foreign", "defence", "defense", "national", "deputy", "chief", "the",
          "security", "fund", "affairs", "news", "press"}
# a question for someone's name: answered only by an answer that names someone
NAME_Q = re.compile(r"\b(what(?: i|')s (?:the|his|her) name|what was (?:the|his|her) name|name of|wie hei(?:ß|ss)t|"
                    r"wie hie(?:ß|ss)|wie lautet (?:der|sein|ihr) name|de[nr] namen|"
                    # "which Russian general commands …": a rank held by one person, answered by a name
                    # (not "which official", whom articles often leave unnamed)
                    r"(?:which|welche[rsmn]?)(?:\s+\w+){0,2}?\s+(?:generals?|generäle|minister|ministerin|"
                    r"ambassador|botschafter(?:in)?|senators?|senator(?:in)?|commanders?|kommandeur|befehlshaber)|"
                    # "who is the defence minister of North Korea": the holder of an office, by name
                    r"(?:who|wer)\s+(?:is|was|ist|war)\s+(?:the|der|die)\s+(?:[\w-]+\s+){0,3}?[\w-]*(?:minister|präsident|"
                    r"president|sprecher|spokes|botschafter|ambassador|general|secretary|sekretär|kanzler|chancellor|"
                    r"direktor|director|leiter|chef|head)\w*)\b", re.I)
# "where was Blinken …?", "Wo trafen sich …?", "in which city …": answered by a place, not by "in October"
WHERE_Q = re.compile(r"(^\W*|\b(?:and|und)\s+)(where|wo)\b|\bin (which|what|welche[rmn]?) (city|country|region|stadt|land)\b",
                     re.I)
DAYS_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# "who is Mike Waltz?" asks for what he is: answered by a sentence that gives a role, not by what he said
# ("who is the defence minister" asks for a name: NAME_Q)
WHO_IS_Q = re.compile(r"^\W*(who is|who's|who was|wer ist|wer war)\b(?!\s+(?:the|der|die|das)\b)", re.I)
ROLE = re.compile(r"(berater|direktor|sprecher|präsident|minister|botschafter|experte|chef|leiter|general|kommandeur|"
                  r"sekretär|vorsitzende|abgeordnete|diplomat|beamte|machthaber|führer|gouverneur|bürgermeister|"
                  r"kanzler|senator|fellow|analyst|professor|journalist|tycoon)|\b(advis[eo]r|director|spokes\w*|"
                  r"president|ambassador|expert|head|chief|leader|commander|secretary|chair\w*|official|lawmaker|"
                  r"governor|mayor|chancellor|businessman)\b", re.I)
# where a question asks a second thing: ", and how did the Kremlin react?", ", und wie reagierte der Kreml?"
PART_SPLIT = re.compile(r",?\s+(?:and|und)\s+(?=(?:what|how|who|whom|when|where|which|why|was|wie|wer|wem|wen|"
                        r"wann|wo|welche[rsmn]?|warum|weshalb|wozu)\b)", re.I)
# a part that refers back ("how many of them", "was sieht dieser Vertrag vor?") means nothing searched alone
REFERS_BACK = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|this|that|these|those|er|es|sie|ihm|ihn|"
                         r"ihr|ihre[mnrs]?|ihnen|sein|seine[mnrs]?|dies|diese[mnrs]?|darüber|dazu|davon|damit|dort)\b", re.I)
# questions about figures of any kind (evidence with a figure is preferred for them)
FIGURE_Q = re.compile(r"\b(how (many|much|far|high|old)|what (figure|number)|wie (viele?|weit|hoch|alt)|"
                      r"welche (Zahl|Zahlen)|figures?|numbers?|Zahl)\b", re.I)
# a question for a count or an amount, and one for a count alone ("how much influence" is no figure)
COUNT_Q = re.compile(r"\b(how (many|much)|wie viele?)\b", re.I)
MANY_Q = re.compile(r"\b(how many|wie viele)\b", re.I)
# a question for an amount of money, which a figure of troops or years does not answer
MONEY_Q = re.compile(r"\b(money|dollars?|euros?|cost|costs|paid|pays?|geld|kosten|kostet|zahlt|bezahlt)\b", re.I)
# "how much does North Korea receive for each soldier": an amount received is money too (not "how many")
MUCH_GOT_Q = re.compile(r"\b(how much|wie viel)\b(?!e).*\b(receive[sd]?|get|gets|earn|earns|erhält|erhalten|bekommt|"
                        r"bekommen|verdient)\b", re.I)
MONEY = re.compile(r"\b(dollar|us-dollar|usd|euro|eur|milliarden?|mrd|billions?|million(?:en)?|mio)\b|[$€]", re.I)
# "how far" is answered by a distance, not by a count of troops that happens to be near
FAR_Q = re.compile(r"\b(how far|wie weit|distance|Entfernung|Abstand|(?:how many|wie viele) (?:km|kilomet\w*|miles|meilen))\b",
                   re.I)
DISTANCE = re.compile(r"\d\s*(km|kilomet\w*|meilen|miles?|meter\w*|metres?)\b", re.I)
# words that open a relative or adverbial clause (or name a source: "according to"), after a comma:
# where an answer's sentence may be cut to its head (claims) and an article's long sentence divided
# into clauses for their own vectors (chunk)
CLAUSE_WORDS = (r"who|whom|whose|which|where|when|while|after|because|according|der|die|das|dem|den|deren|dessen|"
                r"welche[rsmn]?|wo|als|nachdem|während|weil|wobei")
