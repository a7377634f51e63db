"""The Articles tab's work, apart from its layout: uploaded files checked and copied into the
corpus folder, indexed one by one with one progress bar, and deleted from index and folder alike."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd

from ..config import Settings
from ..errors import InputError
from ..ingest import progress_text
from ..load import KINDS, SUPPORTED, parse
from ..types import IngestReport

COLUMNS = ["file", "title", "site", "date", "chunks"]
_UNSAFE = re.compile(r"[^\w.\- ]")  # \w keeps umlauts; slashes, quotes, colons and the like go


def safe_name(name: str) -> str:
    """A bare, harmless file name for an upload, or InputError. Never a path."""
    base = _UNSAFE.sub("_", Path(str(name).replace("\\", "/")).name).strip(" ")
    if not base or base.startswith(".") or len(base) > 150:
        raise InputError(f"{name}: not a usable file name; rename the file (letters, digits, . - _)")
    if Path(base).suffix.lower() not in SUPPORTED:
        raise InputError(f"{base}: unsupported type; upload {KINDS} articles")
    return base


def store_upload(src: Path, name: str, s: Settings) -> tuple[str, bool]:
    """Check one uploaded file and copy it into the corpus folder: (name, existed before)."""
    name = safe_name(name)
    size = Path(src).stat().st_size
    if size > s.max_upload_mb * 1024 * 1024:
        raise InputError(f"{name}: {size / 1e6:.1f} MB is over the {s.max_upload_mb:g} MB limit")
    raw = Path(src).read_bytes()
    parse(raw, name)  # unreadable files are refused here, before they land in the corpus
    root = Path(s.corpus_dir).resolve()
    dest = (root / name).resolve()
    if dest.parent != root:
        raise InputError(f"{name}: would be written outside the corpus folder; refused")
    existed = dest.exists()
    tmp = root / f".upload-{name}"  # hidden files are skipped by ingest, and replace() is atomic
    tmp.write_bytes(raw)
    tmp.replace(dest)
    return name, existed


def store_uploads(paths: list[str], s: Settings) -> tuple[list[tuple[str, bool]], dict[str, str]]:
    """Every file of one upload checked and copied (store_upload): (stored, rejected name -> why).
    More files than one upload may hold are all refused, with the reason, before any is copied."""
    if len(paths) > s.max_files_per_upload:
        return [], {"upload": f"{len(paths)} files; at most {s.max_files_per_upload} per upload, "
                              f"please upload them in batches"}
    stored, rejected = [], {}
    for p in paths:
        try:
            stored.append(store_upload(Path(p), Path(p).name, s))
        except (InputError, OSError) as e:
            rejected[Path(p).name] = str(e)
    return stored, rejected


def _inside(s: Settings, doc_id: str) -> Path | None:
    root = Path(s.corpus_dir).resolve()
    path = (root / doc_id).resolve()
    return path if path.is_relative_to(root) and path != root else None


def article_rows(pipe) -> tuple[pd.DataFrame, list[str]]:
    rows = [[a["doc_id"], a["title"], a.get("site", ""), a.get("date", ""), a["chunks"]] for a in pipe.articles()]
    return pd.DataFrame(rows, columns=COLUMNS), [r[0] for r in rows]


def ingest_uploads(pipe, stored: list[tuple[str, bool]], s: Settings, rep: IngestReport, progress) -> None:
    """Index the stored uploads (name, existed before) into `rep`; an upload that failed or
    duplicates another article leaves the corpus folder again (corpus == index)."""
    t0 = time.perf_counter()
    for i, (name, existed) in enumerate(stored):
        # one file is one article: the bar counts the uploaded articles, their rate and the time left
        part = pipe.ingest(Path(s.corpus_dir) / name, progress=lambda f, msg, i=i, name=name: progress(
            (i + f) / len(stored), desc=progress_text(i, len(stored), time.perf_counter() - t0, name)))
        for field in ("added", "updated", "unchanged", "removed"):
            getattr(rep, field).extend(getattr(part, field))
        rep.failed.update(part.failed)
        rep.duplicates.update(part.duplicates)
        rep.chunks_written += part.chunks_written
        rep.seconds += part.seconds
        if not existed and (name in part.failed or name in part.duplicates):
            (Path(s.corpus_dir) / name).unlink(missing_ok=True)  # keep corpus == index


def delete_file(s: Settings, doc_id: str) -> None:
    """The article's file in the corpus folder, if it is one there (never a path outside it)."""
    path = _inside(s, doc_id)
    if path and path.suffix.lower() in SUPPORTED:
        path.unlink(missing_ok=True)
