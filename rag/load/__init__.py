"""Stage 1: read articles (web pages, .txt/.md, PDF, Word .docx; files or URLs) into Documents
with their title, source, publication date, site, author and canonical URL.

    parse(raw, name)        bytes -> Document (the suffix of `name` says how to read them)
    load_file(path, root)   a file -> Document, doc_id relative to `root`
    load_url(url, settings) fetch (safely) -> Document, doc_id derived from the URL
    discover(path)          the article files under a folder
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..types import Document
from . import html, office
from .fetch import fetch, is_url
from .furniture import drop_related, site_of
from .text import decode, front_matter, normalize

__all__ = ["SUPPORTED", "parse", "load_file", "load_url", "discover", "decode", "url_doc_id", "is_url"]

HTML = {".html", ".htm", ".xhtml"}
TEXT = {".txt", ".md", ".markdown"}
SUPPORTED = HTML | TEXT | {".pdf", ".docx"}
KINDS = ".txt, .md, .html, .pdf or .docx"


def _first_line(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    return first if len(first) <= 200 else first[:197] + "..."


def parse(raw: bytes, name: str, source: str = "", url: str = "", charset: str | None = None) -> Document:
    """Turn file bytes into a Document; raises InputError with a clear reason. `url` is where the
    bytes were fetched from (if they were), `charset` what the server said they are in."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{name}: unsupported type {suffix or '(none)'}; use {KINDS}")
    meta: dict[str, str] = {}
    if suffix == ".pdf":
        text, meta = office.pdf(raw, name)
    elif suffix == ".docx":
        text, meta = office.docx(raw, name)
    elif suffix in HTML:
        text, pm = html.extract(decode(raw, name, charset, html=True), url)
        meta = {k: v for k, v in vars(pm).items() if v}
    else:
        meta, body = front_matter(decode(raw, name, charset), name)
        text = drop_related(normalize(body))
        if suffix in {".md", ".markdown"} and "title" not in meta:
            m = re.search(r"^#\s+(.+)$", text, re.M)
            if m:
                meta["title"] = m.group(1).strip()
    if not text.strip():
        raise InputError(f"{name}: the file holds no text")
    page_url = meta.get("url") or url
    return Document(doc_id=name, title=meta.get("title") or _first_line(text), source=source or url or name,
                    text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    date=meta.get("date", ""), author=meta.get("author", ""), url=page_url,
                    site=meta.get("site") or site_of(page_url))


def _check_length(doc: Document, name: str, max_chars: int) -> Document:
    if len(doc.text) > max_chars:
        raise InputError(f"{name}: article too long ({len(doc.text):,} characters, limit {max_chars:,}). "
                         f"Split it, or raise RAG_MAX_ARTICLE_CHARS.")
    return doc


def load_file(path: Path, root: Path | None = None, max_chars: int = 2_000_000) -> Document:
    name = path.relative_to(root).as_posix() if root else path.name
    # a PDF or .docx holds far more bytes than characters (fonts, images, zip); 4 bytes per
    # character is the bound for text files only
    max_bytes = max_chars * (4 if path.suffix.lower() not in {".pdf", ".docx"} else 50)
    try:
        size = path.stat().st_size
        if size > max_bytes:  # refused before reading
            raise InputError(f"{name}: file too large ({size:,} bytes; an article may have at most "
                             f"{max_chars:,} characters, so at most {max_bytes:,} bytes). Split it, "
                             f"or raise RAG_MAX_ARTICLE_CHARS.")
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"{name}: cannot be read ({e.strerror or e})") from e
    return _check_length(parse(raw, name, source=str(path)), name, max_chars)


def url_doc_id(url: str) -> str:
    """A stable, readable id for an article fetched by URL: host + path, e.g.
    'www.dw.com/en/uncork-the-mystery-of-germanys-frühburgunder/a-16863843'."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path).strip("/") + (f"?{parts.query}" if parts.query else "")
    slug = re.sub(r"[^\w.\-/?=&]+", "-", f"{(parts.hostname or '').lower()}/{path}".strip("/"))
    if len(slug) > 150:
        slug = slug[:139] + "-" + hashlib.sha1(url.encode()).hexdigest()[:10]
    return slug


def load_url(url: str, settings) -> Document:
    got = fetch(url, settings.fetch_timeout_s, settings.fetch_max_mb, settings.fetch_allow_private,
                settings.fetch_allowed_hosts)
    doc = parse(got.raw, got.name, source=got.url, url=got.url, charset=got.charset)
    doc = dataclasses.replace(doc, doc_id=url_doc_id(url))
    return _check_length(doc, url, settings.max_article_chars)


def discover(path: Path) -> list[Path]:
    """Article files under a folder (sorted, hidden files skipped) or the one file given."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))
