"""Web pages: the article's main text and its metadata via trafilatura, which drops navigation,
teasers, comments, banners and scripts. A page too small or odd for trafilatura to find an
article in falls back to all of its visible text (never scripts or styles)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..errors import InputError
from .text import iso_date, normalize


@dataclass
class PageMeta:
    title: str = ""
    date: str = ""
    author: str = ""
    site: str = ""
    url: str = ""


class _VisibleText(HTMLParser):
    """Keeps visible text and block structure; drops script/style. Tolerates broken markup."""

    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
              "header", "footer", "blockquote", "title"}
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        self._in.append(tag)
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        cur = self._in[-1] if self._in else ""
        if cur == "title":
            self.title += data
            return
        if self._skip:
            return
        if cur == "h1" and not self.h1:
            self.h1 = data.strip()
        self.parts.append(data)


def visible_text(page: str) -> tuple[str, str]:
    """(all visible text, title): what a naive reader of the markup keeps, furniture included."""
    p = _VisibleText()
    p.feed(page)
    p.close()
    return normalize("".join(p.parts)), p.title.strip() or p.h1


def site_of(url: str) -> str:
    """The host name people know a site by: 'www.dw.com' -> 'dw.com'."""
    return (urlsplit(url).hostname or "").removeprefix("www.") if url else ""


def _site(sitename: str | None, url: str) -> str:
    return sitename.strip() if sitename and sitename.strip() else site_of(url)


# --- publication date -------------------------------------------------------------------------
# Only what the page declares as the article's date counts; a date merely somewhere on the page
# (a teaser's, a "related content" box's, a linked document's) is not the article's, and an empty
# date is better than a wrong one: it only means the --since/--until filter cannot place the page.
_PUBLISHED = {"article:published_time", "og:article:published_time", "og:published_time", "datepublished",
              "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date", "pubdate", "publishdate",
              "publish-date", "publication_date", "parsely-pub-date", "originalpublicationdate"}
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|april|mai|juni|juli|august|"
           "september|oktober|november|dezember")
_MONTH_NUM = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH_NUM.update({"mär": 3, "mai": 5, "okt": 10, "dez": 12})
# 10.06.2013 | 2013-06-10 | June 10, 2013 | 10 June 2013 | 10. Juni 2013
DATE_RE = (r"(?:\d{1,2}\.\d{1,2}\.(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d|"
           rf"(?:{_MONTHS})[a-zä]*\.? \d{{1,2}},? (?:19|20)\d\d|\d{{1,2}}\.? (?:{_MONTHS})[a-zä]*\.? (?:19|20)\d\d)")
_ISO_PREFIX = re.compile(r"^\s*((?:19|20)\d\d-\d\d-\d\d)")
_URL_DATE = re.compile(rf"/((?:19|20)\d\d)[/-](\d{{1,2}}|{_MONTHS})[/-](\d{{1,2}})(?=[/_.-]|$)", re.I)
_TITLE_DATE = re.compile(rf"(?:\||»|–|—| - )\s*({DATE_RE})\s*$", re.I)
_DATELINE = re.compile(rf"^(?:date|datum|published|published on|veröffentlicht|veröffentlicht am|"
                       rf"erschienen|erschienen am|publiziert am)\s*:?\s*({DATE_RE})$", re.I)


def _day(value: str | None) -> str:
    """A date as the page writes it -> 'YYYY-MM-DD' (the day the page states, in its own time
    zone), '' when it is not a date."""
    if not value:
        return ""
    m = _ISO_PREFIX.match(value)
    if m:
        value = m.group(1)
    v = re.sub(r"\s+", " ", value.strip()).lower().replace(",", "")
    m = re.fullmatch(rf"(\d{{1,2}})\.? ({_MONTHS})[a-zä]*\.? (\d{{4}})", v) or \
        re.fullmatch(rf"({_MONTHS})[a-zä]*\.? (\d{{1,2}}) (\d{{4}})", v)
    if m:
        d, mon, y = (m.group(1), m.group(2), m.group(3)) if m.group(1).isdigit() else \
            (m.group(2), m.group(1), m.group(3))
        value = f"{y}-{_MONTH_NUM.get(mon[:3], 0):02d}-{int(d):02d}"
    try:
        return iso_date(value)
    except InputError:
        return ""


def _json_ld_dates(tree) -> list[str]:
    import json

    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "datePublished" in node:
                found.append(str(node["datePublished"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            walk(json.loads(script.text or ""))
        except ValueError:
            continue
    return found


def published_date(page: str, url: str = "", title: str = "") -> str:
    """The article's publication date, from what the page declares, in this order: its meta tags
    (article:published_time, datePublished, DC.date.issued, ...), schema.org JSON-LD datePublished,
    an element marked itemprop="datePublished", a date in its URL (/2019/05/14/), a date ending its
    title ("... | DW | 10.06.2013"), a labelled dateline ("Date 10.06.2013", "Veröffentlicht am ...").
    Modified/updated dates and dates elsewhere on the page are ignored; '' when none is declared."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return ""
    candidates: list[str | None] = []
    for m in tree.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED:
            candidates.append(m.get("content"))
    candidates += _json_ld_dates(tree)
    candidates += [e.get("datetime") or e.get("content") or e.text_content()
                   for e in tree.xpath('//*[@itemprop="datePublished"]')]
    for day in map(_day, candidates):
        if day:
            return day
    m = _URL_DATE.search(url or "")
    if m:
        day = _day(f"{m.group(3)} {m.group(2)} {m.group(1)}" if not m.group(2).isdigit()
                   else f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
        if day:
            return day
    titles = [title, tree.findtext(".//title") or ""]
    titles += [m.get("content") or "" for m in tree.iter("meta") if m.get("property") == "og:title"]
    for t in titles:
        m = _TITLE_DATE.search(t.strip())
        if m and _day(m.group(1)):
            return _day(m.group(1))
    for el in tree.xpath("//body//*[self::li or self::p or self::div or self::span or self::time or self::dd]"):
        text = " ".join(el.text_content().split())
        if len(text) < 60:
            m = _DATELINE.match(text)
            if m and _day(m.group(1)):
                return _day(m.group(1))
    return ""


# --- title ------------------------------------------------------------------------------------
_TITLE_SEP = re.compile(r"(\s*[|»«·•]\s*|\s+[-–—]\s+)")


def _site_names(site: str, url: str) -> set[str]:
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
    names = _site_names(site, url)
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


def extract(page: str, url: str = "") -> tuple[str, PageMeta]:
    """(article text, metadata). `url` is where the page came from, if known: it names the site
    when the page does not."""
    import trafilatura

    doc = trafilatura.bare_extraction(page, url=url or None, with_metadata=True, include_comments=False,
                                      include_tables=True, deduplicate=False)
    text = normalize(doc.text or "") if doc is not None else ""
    fallback_text, fallback_title = visible_text(page)
    if not text:
        text = fallback_text
    text, byline = drop_furniture(text)
    if doc is None:
        site = _site(None, url)
        return text, PageMeta(title=clean_title(fallback_title, site, url), url=url, site=site,
                              date=published_date(page, url, fallback_title), author=byline)
    canonical = doc.url or url
    site = _site(doc.sitename, canonical or url)
    title = (doc.title or "").strip()
    if not title or title.lower() in _site_names(site, canonical or url):
        title = fallback_title  # trafilatura took the site's half of 'BMJV | Transparenz ...'
    return text, PageMeta(title=clean_title(title, site, canonical or url),
                          date=published_date(page, canonical or url, doc.title or ""),
                          author=(doc.author or byline or "").strip(), site=site, url=canonical or "")
