"""Stage 1: read article files (.txt, .md, .html) into Documents with title and source."""
from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError
from .types import Document

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm"}


class _HTMLText(HTMLParser):
    """Keeps visible text and block structure; drops script/style. Tolerates broken markup."""

    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
              "header", "footer", "blockquote", "title"}
    SKIP = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP and tag != "head":
            self._skip += 1
        self._in.append(tag)
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and tag != "head" and self._skip:
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


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        raise InputError(f"{name}: looks like a binary file, not an article")
    for enc in ("utf-8-sig",):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            pass
    raise InputError(f"{name}: not valid UTF-8 text; save it as UTF-8 and add it again")


def parse(raw: bytes, name: str, source: str = "") -> Document:
    """Turn file bytes into a Document; raises InputError with a clear reason."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{name}: unsupported type {suffix or '(none)'}; use .txt, .md or .html")
    text = decode(raw, name)
    title = ""
    if suffix in {".html", ".htm"}:
        p = _HTMLText()
        p.feed(text)
        p.close()
        title = html.unescape(p.title).strip() or p.h1
        text = _normalize("".join(p.parts))
    else:
        text = _normalize(text)
        if suffix in {".md", ".markdown"}:
            m = re.search(r"^#\s+(.+)$", text, re.M)
            title = m.group(1).strip() if m else ""
    if not text.strip():
        raise InputError(f"{name}: the file holds no text")
    if not title:
        first = text.split("\n", 1)[0].strip()
        title = first if len(first) <= 200 else first[:197] + "..."
    return Document(doc_id=name, title=title, source=source or name, text=text,
                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_file(path: Path, root: Path | None = None, max_chars: int = 2_000_000) -> Document:
    name = path.relative_to(root).as_posix() if root else path.name
    try:
        size = path.stat().st_size
        if size > max_chars * 4:  # refused before reading: a UTF-8 character is at most 4 bytes
            raise InputError(f"{name}: file too large ({size:,} bytes; an article may have at most "
                             f"{max_chars:,} characters, so at most {max_chars * 4:,} bytes). Split it, "
                             f"or raise RAG_MAX_ARTICLE_CHARS.")
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"{name}: cannot be read ({e.strerror or e})") from e
    doc = parse(raw, name, source=str(path))
    if len(doc.text) > max_chars:
        raise InputError(f"{name}: article too long ({len(doc.text):,} characters, limit {max_chars:,}). "
                         f"Split it, or raise RAG_MAX_ARTICLE_CHARS.")
    return doc


def discover(path: Path) -> list[Path]:
    """Article files under a folder (sorted, hidden files skipped) or the one file given."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))
