"""Web pages: the article's main text and its metadata via trafilatura, which drops navigation,
teasers, comments, banners and scripts. A page too small or odd for trafilatura to find an
article in falls back to all of its visible text (never scripts or styles)."""
from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from .dates import published_date
from .furniture import clean_title, drop_furniture, drop_related, site_names, site_of
from .text import normalize


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


def _site(sitename: str | None, url: str) -> str:
    return sitename.strip() if sitename and sitename.strip() else site_of(url)


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
    text, byline = drop_furniture(drop_related(text))
    if doc is None:
        site = _site(None, url)
        return text, PageMeta(title=clean_title(fallback_title, site, url), url=url, site=site,
                              date=published_date(page, url, fallback_title), author=byline)
    canonical = doc.url or url
    site = _site(doc.sitename, canonical or url)
    title = (doc.title or "").strip()
    if not title or title.lower() in site_names(site, canonical or url):
        title = fallback_title  # trafilatura took the site's half of 'BMJV | Transparenz ...'
    return text, PageMeta(title=clean_title(title, site, canonical or url),
                          date=published_date(page, canonical or url, doc.title or ""),
                          author=(doc.author or byline or "").strip(), site=site, url=canonical or "")
