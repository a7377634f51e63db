"""Publication date of a web page: only what the page declares as the article's date counts
(meta tags, JSON-LD, itemprop, its URL, its title, a labelled dateline). Apart from the text
extraction because it reads the raw markup, not the article text. DATE_RE, the date forms pages
write, is also what the furniture rules recognise a dateline by."""
from __future__ import annotations

import re

from ..errors import InputError
from .text import iso_date

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
