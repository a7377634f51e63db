"""PDF (pypdf, BSD) and Word .docx (python-docx, MIT) files: their text, title and author.
A PDF without a text layer (a scan) is refused with a message that says so."""
from __future__ import annotations

import io
import logging

from ..errors import InputError
from .text import normalize


def pdf(raw: bytes, name: str) -> tuple[str, dict[str, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about odd but readable files
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{name}: the PDF is password-protected; save an unprotected copy and add it again")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise InputError(f"{name}: not a readable PDF ({e}); check the file opens in a PDF viewer") from e
    text = normalize("\n\n".join(pages))
    if not text:
        raise InputError(f"{name}: the PDF has no text layer ({len(pages)} page(s) of images, e.g. a "
                         f"scan); run it through OCR (e.g. `ocrmypdf in.pdf out.pdf`) and add it again")
    return text, {"title": str(info.get("/Title") or "").strip(), "author": str(info.get("/Author") or "").strip()}


def docx(raw: bytes, name: str) -> tuple[str, dict[str, str]]:
    import zipfile

    from docx import Document as Docx

    try:
        d = Docx(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(f"{name}: not a readable Word .docx file ({e}); an old .doc must be saved "
                         f"as .docx first") from e
    paras = [p.text for p in d.paragraphs]
    for table in d.tables:  # tables come after the running text: their cells are rarely prose
        paras += [" | ".join(c.text for c in row.cells) for row in table.rows]
    props = d.core_properties
    return normalize("\n".join(paras)), {"title": (props.title or "").strip(), "author": (props.author or "").strip()}
