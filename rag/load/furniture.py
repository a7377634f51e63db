"""The page furniture trafilatura leaves in: the site's name and a date around the headline
(`clean_title`) and credit, copyright, dateline, byline, author-box and appeal lines in the text
(`drop_furniture`), and related-story boxes in any article (`drop_related`). Generic rules by
what a line says, not per site, so they hold for pages the fixtures never showed."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .dates import DATE_RE
from .text import normalize


def site_of(url: str) -> str:
    """The host name people know a site by: 'www.dw.com' -> 'dw.com'."""
    return (urlsplit(url).hostname or "").removeprefix("www.") if url else ""


# --- title ------------------------------------------------------------------------------------
_TITLE_SEP = re.compile(r"(\s*[|»«·•]\s*|\s+[-–—]\s+)")


def site_names(site: str, url: str) -> set[str]:
    names = {site.lower()} if site else set()
    host = site_of(url).lower()
    if host:
        names.add(host)
        labels = host.split(".")
        names.update(lbl for lbl in labels[:-1] if len(lbl) >= 2)  # 'scilogs.spektrum.de' -> scilogs, spektrum
    return {n for n in names if n}


def clean_title(title: str, site: str = "", url: str = "") -> str:
    """Drops the site's name and a date that pages put around the headline:
    'Uncork ... | DW | 10.06.2013' -> 'Uncork ...', 'BMJV | Transparenz ...' -> 'Transparenz ...',
    'Die Ablehnung der Gendersprache » SciLogs - Wissenschaftsblogs' -> 'Die Ablehnung der Gendersprache'.
    Only at a separator (| » « · • or a spaced dash) and only a part that is the site's name or
    begins with it, or is a date; a headline with no such part is returned as it is."""
    names = site_names(site, url)
    parts = _TITLE_SEP.split(title.strip())  # [text, sep, text, sep, ...]
    texts = parts[0::2]

    def furniture(part: str) -> bool:
        p = part.strip().lower()
        first = re.split(r"[\s:]+", p)[0].strip(".,") if p else ""
        return not p or p in names or first in names or bool(re.fullmatch(DATE_RE, p, re.I))

    if len(texts) < 2:
        return title.strip()
    start = 0
    while start < len(texts) - 1 and furniture(texts[start]):
        start += 1
    end = next((i for i in range(start + 1, len(texts)) if furniture(texts[i])), len(texts))
    kept = parts[2 * start: 2 * end - 1]
    return "".join(kept).strip() or title.strip()


# --- furniture --------------------------------------------------------------------------------
# trafilatura keeps a few kinds of page furniture that sit inside the article's container, where
# its markup rules cannot tell them from the article: credits, copyright lines, a dateline, a
# byline, an "about the author" box and a donation appeal after the last paragraph. These rules
# drop them by what they say, not by which site they are on; each only matches a whole line (a
# paragraph) of that form, or a credit glued to a paragraph's end.
_CREDIT_WORDS = (r"(?:foto|fotos|photo|photos|image|images|picture|bildquelle|bildnachweis|beitragsbild|"
                 r"titelbild|aufmacherbild|headerbild|header image|featured image|photo credit|image credit|"
                 r"credit|credits)")
_CREDIT_LINE = re.compile(rf"^{_CREDIT_WORDS}\s*:\s*\S.{{0,110}}$", re.I)
_CREDIT_TAIL = re.compile(rf"(?<=[.!?…“”\"»])\s*{_CREDIT_WORDS}\s*:\s*(\S[^\n]{{0,60}})$", re.I)
_COPYRIGHT_LINE = re.compile(r"^(?:©|\(c\)|copyright\b).{0,110}$|^.{0,80}\ball rights reserved\.?$", re.I)
_EDITING_LINE = re.compile(r"^(?:additional |further )?(?:reporting|editing|writing|compiled|edited|reported)"
                           r"(?: and \w+)? by\b.{0,250}$", re.I)
_STANDARDS_LINE = re.compile(r"^(?:our (?:standards|editorial (?:standards|guidelines))|unsere (?:standards|"
                             r"grundsätze))\s*:.{0,100}$", re.I)
_NAME = r"[A-ZÄÖÜ][\w.'’-]+"
_BYLINE = re.compile(rf"^(?i:von|by|text|autor|author)\s*:?\s+((?:{_NAME}|von|van|de|der|den|da|di|du|zu|le|la)"
                     rf"(?:[ ,]+(?:{_NAME}|von|van|de|der|den|da|di|du|zu|le|la|und|and|&))*)$")
_AUTHOR_BOX = re.compile(r"^(?:(?:über|zum|zur|about)\s+)?(?:den |die |der |the )?(?:autor|autorin|autoren|"
                         r"author|authors)\s*:?$", re.I)
_APPEAL_END = re.compile(r"(?:jetzt|now|bitte|please)\s+(?:unterstützen|spenden|support(?: us)?|donate|"
                         r"mitglied werden|become a (?:member|supporter))\s*[!.]?$|"
                         r"(?:unterstützen sie uns|support us|donate now|spenden sie)\s*[!.]?$", re.I)
_APPEAL_HEAD = re.compile(r"spende|spenden|donat|unterstütz|support|finanziert|funded|unabhängig|independent",
                          re.I)


def _dateline_only(line: str) -> bool:
    """'October 22, 2019 report', '14. Mai 2019', 'Stand: 10.06.2013': a date and at most two
    words: the page's dateline, not article text (the date is kept as metadata)."""
    m = re.search(DATE_RE, line, re.I)
    if not m:
        return False
    rest = (line[:m.start()] + " " + line[m.end():]).replace(":", " ")
    return len(re.findall(r"[^\W\d_]+", rest)) <= 2 and len(line) <= 60


def drop_furniture(text: str) -> tuple[str, str]:
    """(text without credit, copyright, dateline, byline, author-box and appeal lines, the byline's
    name or ''). See the comment above for what counts."""
    lines = text.split("\n")
    byline = ""
    # an "about the author" box near the end: its heading and everything after it
    tail = 0
    for i in range(len(lines) - 1, -1, -1):
        tail += len(lines[i]) + 1
        if tail > 1200:
            break
        if _AUTHOR_BOX.match(lines[i].strip()) and i > 0:
            lines = lines[:i]
            break
    # a donation/support appeal closing the text, and its short heading
    for i in range(len(lines) - 1, max(len(lines) - 3, 0) - 1, -1):
        if _APPEAL_END.search(lines[i].strip()) and i > 0:
            cut = i - 1 if len(lines[i - 1]) <= 80 and _APPEAL_HEAD.search(lines[i - 1]) else i
            lines = lines[:max(cut, 1)]
            break
    kept = []
    for i, line in enumerate(lines):
        s = line.strip()
        if s and (_CREDIT_LINE.match(s) or _COPYRIGHT_LINE.match(s) or _EDITING_LINE.match(s)
                  or _STANDARDS_LINE.match(s) or _dateline_only(s)):
            continue
        if s and i < 3 and not byline and len(s) <= 80:
            m = _BYLINE.match(s)
            if m:
                byline = m.group(1).strip(" ,")
                continue
        m = _CREDIT_TAIL.search(line)
        if m and ". " not in m.group(1):
            line = line[:m.start()].rstrip()
        kept.append(line)
    return normalize("\n".join(kept)), byline


# --- related stories ----------------------------------------------------------------------------
# A "related stories" box between the paragraphs: its heading, then headlines of other articles
# (no sentence ends in a full stop), until the article goes on. Saved text articles keep it where a
# web page's markup would have told trafilatura; its headlines would be cited as this article's
# words ("Die Ukraine „hält“ eine 50.000 Mann starke Truppe zurück ...").
_RELATED_HEAD = re.compile(r"^(?:verwandte (?:geschichten|artikel|themen|beiträge|nachrichten)|related "
                           r"(?:stories|articles|news|coverage|content)|(?:lesen sie|read) (?:auch|mehr|also|more)"
                           r"|mehr zum thema|more on this(?: topic| story)?|siehe auch|see also|auch interessant"
                           r"|das könnte sie auch interessieren|you (?:may|might) also like|weitere artikel"
                           r"|more stories|empfohlene artikel)\s*[:›»>]?$", re.I)
# one line: "Mehr zum Thema ‒ <headline>", "Lesen Sie auch: <headline>"
_RELATED_LINE = re.compile(r"^(?:mehr zum thema|lesen sie (?:auch|mehr)|read (?:more|also)|siehe auch|see also"
                           r"|related)\s*[:‒–—-]\s*\S.{0,200}$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?…:;][\"'“”»«‘’)]*$")


def drop_related(text: str) -> str:
    """The text without related-story boxes (a heading line and the headlines under it, at most
    eight) and one-line teasers ("Mehr zum Thema ‒ ..."); the article's own paragraphs stay."""
    lines, kept, i = text.split("\n"), [], 0
    while i < len(lines):
        s = lines[i].strip()
        if _RELATED_LINE.match(s):
            i += 1
            continue
        if _RELATED_HEAD.match(s):
            j = i + 1
            while j < len(lines) and j - i <= 8 and lines[j].strip() and len(lines[j]) <= 160 \
                    and not _ENDS_SENTENCE.search(lines[j].strip()):
                j += 1
            i = j
            continue
        kept.append(lines[i])
        i += 1
    return normalize("\n".join(kept))
