"""Bytes to text in whatever encoding the file uses, white-space normalisation, front matter
(title, date, source, url, author) at the top of .txt/.md articles, and date normalisation."""
from __future__ import annotations

import codecs
import re
from datetime import date, datetime

from ..errors import InputError

# A page's own declaration: <meta charset=...> or <meta http-equiv="Content-Type" content="...charset=...">
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_KEYS = {"title", "date", "source", "site", "url", "author"}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d")


def normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    # browsers read a page labelled Latin-1 as Windows-1252 (WHATWG Encoding Standard), and German
    # pages labelled iso-8859-1 routinely hold „…“ and € from cp1252; cp1252 is a superset for text
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def decode(raw: bytes, name: str, declared: str | None = None, html: bool = False) -> str:
    """UTF-8 (with or without BOM) first; else the charset the page or HTTP header declares;
    else what charset-normalizer detects. Binary data and undecodable bytes are refused."""
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: looks like a binary file, not an article")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(enc, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(raw[:4096]) if html else None
    for label in (declared, m.group(1).decode("ascii", "ignore") if m else None):
        enc = _codec(label)
        if enc and enc not in ("utf-8", "utf_8"):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                pass  # the declaration is wrong: detect instead
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None:
        text = str(best)
        printable = sum(ch.isprintable() or ch.isspace() for ch in text)
        if text and printable / len(text) > 0.97:
            return text
    raise InputError(f"{name}: not readable as text in any known encoding (UTF-8, Windows-1252, "
                     f"ISO-8859-x, ...); open it in an editor and save it as UTF-8")


def iso_date(value: str, name: str = "") -> str:
    """'2020-01-19', '19.01.2020', '19 Jan 2020', '2020-01-19T10:00:00Z' -> '2020-01-19'."""
    v = str(value).strip().strip("\"'")
    if not v:
        return ""
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(v, fmt).date().isoformat()
        except ValueError:
            continue
    raise InputError(f"{name + ': ' if name else ''}date {v!r} is not a date; write it as YYYY-MM-DD "
                     f"(e.g. 2020-01-19)")


def date_ord(iso: str) -> int | None:
    return date.fromisoformat(iso).toordinal() if iso else None


def front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    """A leading `---` block of `key: value` lines -> (metadata, body). Unknown keys are ignored;
    text without such a block is returned unchanged."""
    m = _FRONT.match(text.lstrip("\ufeff"))
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in _KEYS:
            meta[key] = value.strip().strip("\"'")
    if "date" in meta:
        meta["date"] = iso_date(meta["date"], name)
    if "source" in meta and "site" not in meta:
        meta["site"] = meta["source"]
    return meta, text.lstrip("\ufeff")[m.end():]


def date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """A user's --since/--until as ISO dates (None = open end); InputError for a non-date or an
    empty range."""
    lo = iso_date(since, "--since") or None if since else None
    hi = iso_date(until, "--until") or None if until else None
    if lo and hi and lo > hi:
        raise InputError(f"--since {lo} is after --until {hi}: no article can match; swap them")
    return lo, hi
