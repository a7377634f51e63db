"""Ingestion: load -> chunk -> embed -> store, incremental.

Unchanged articles are skipped, changed ones replaced, deleted ones removed. Each article is
written as delete-then-upsert, and every chunk carries its article's chunk count, so an ingest
killed midway leaves an article either absent or visibly incomplete: the next run redoes it.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .chunk import chunk_document, split_sentences
from .embed_batch import batches, embed_batch, sentence_vectors
from .errors import InputError
from .load import discover, is_url, load_file, load_url
from .store.index import check_meta, index_meta, maybe_optimize
from .types import Document, IngestReport

Progress = Callable[[float, str], None]


def _sentence_vectors(doc: Document, chunks, embedder) -> tuple[list, list]:
    """The "separate" sentence vectors of one article (what batched ingest must reproduce)."""
    return sentence_vectors(doc, chunks, embedder, split_sentences(doc.text))


def _under(source: str, root: Path) -> bool:
    try:
        Path(source).resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def ingest(path: Path | str, store, embedder, settings, progress: Progress | None = None,
           show_bar: bool = False, rebuild: bool = False, prune: bool = True,
           optimize: bool | None = None) -> IngestReport:
    """Index a file, a folder (kept in sync: articles whose file is gone are removed) or a URL.
    optimize: build Edge's search index afterwards: None = when maybe_optimize() says, True/False."""
    t0 = time.perf_counter()
    rep = IngestReport()
    if rebuild:
        store.reset()
    check_meta(store, settings, embedder)
    if is_url(str(path)):
        try:
            docs = [load_url(str(path), settings)]
        except InputError as e:
            rep.failed[str(path)] = str(e)
            docs = []
        _index(docs, store, embedder, settings, rep, store.doc_states(), progress, show_bar, optimize)
        rep.seconds = time.perf_counter() - t0
        return rep
    path = Path(path)
    root = path if path.is_dir() else path.parent
    docs: list[Document] = []
    for f in discover(path):
        name = f.relative_to(root).as_posix()
        if path.is_dir() and not _under(str(f), root):  # a link out of the folder: never follow it
            rep.failed[name] = f"{name}: links to a file outside {root}; copy the article in instead"
            continue
        try:
            docs.append(load_file(f, root, settings.max_article_chars))
        except InputError as e:
            rep.failed[name] = str(e)

    states = store.doc_states()
    scanned = {d.doc_id for d in docs} | set(rep.failed)
    if prune and path.is_dir():
        for doc_id, st in list(states.items()):
            # only articles that lived under the folder being synced (or whose file is gone) go
            src = st["source"]
            if is_url(src):  # fetched by URL: no file of it to be missing
                continue
            if doc_id not in scanned and (not src or _under(src, root) or not Path(src).exists()):
                store.delete_doc(doc_id)
                rep.removed.append(doc_id)
                del states[doc_id]
    _index(docs, store, embedder, settings, rep, states, progress, show_bar, optimize)
    rep.seconds = time.perf_counter() - t0
    return rep


def ingest_documents(docs: list[Document], store, embedder, settings, progress: Progress | None = None,
                     show_bar: bool = False) -> IngestReport:
    """Index Documents built in code (e.g. rows of a CSV): added, replaced when changed, never
    pruned; the same batching, duplicate checks and crash safety as `ingest`."""
    t0 = time.perf_counter()
    rep = IngestReport()
    check_meta(store, settings, embedder)
    _index(list(docs), store, embedder, settings, rep, store.doc_states(), progress, show_bar)
    rep.seconds = time.perf_counter() - t0
    return rep


def _index(docs: list[Document], store, embedder, settings, rep: IngestReport, states: dict,
           progress: Progress | None, show_bar: bool, optimize: bool | None = None) -> None:
    """Chunk, embed and write the new or changed documents; skip duplicates: the same text, or
    the same canonical URL (one page saved as a file and fetched by its address)."""
    sha_owner = {sha: d for d, s in states.items() if s["complete"] for sha in s["shas"]}
    todo: list[tuple[Document, bool]] = []
    url_owner = {s["url"]: d for d, s in states.items() if s["complete"] and s.get("url")}
    seen: dict[str, str] = {}
    for d in docs:
        owner = seen.get(d.sha256) or sha_owner.get(d.sha256) or (url_owner.get(d.url) if d.url else None)
        if owner and owner != d.doc_id:
            rep.duplicates[d.doc_id] = owner
            continue
        seen[d.sha256] = d.doc_id
        if d.url:
            url_owner.setdefault(d.url, d.doc_id)
        st = states.get(d.doc_id)
        if st and st["complete"] and st["shas"] == {d.sha256}:
            rep.unchanged.append(d.doc_id)
        else:
            todo.append((d, st is not None))

    chunked = [(d, existed, chunk_document(d, settings.chunk_max_chars, settings.chunk_overlap_sentences))
               for d, existed in todo]
    total = len(chunked)
    bar = None
    if show_bar and total:
        from tqdm import tqdm
        bar = tqdm(total=total, unit="article", desc="Indexing", smoothing=0.1)
    if chunked:
        store.set_meta(index_meta(settings, embedder, store))
    inner = getattr(embedder, "show_progress", None)
    if bar and inner:  # one bar: the model's own per-call bar would interleave with the article bar
        embedder.show_progress = False
    try:
        _write(chunked, store, embedder, settings, rep, progress, bar)
    finally:
        if bar and inner:
            embedder.show_progress = inner
    if bar:
        bar.close()
    if progress:
        progress(1.0, "Done")
    if store.get_meta() is None and store.count() == 0:
        store.set_meta(index_meta(settings, embedder, store))
    if optimize is not False:
        maybe_optimize(store, settings, rep, force=bool(optimize))


def _write(chunked: list, store, embedder, settings, rep: IngestReport, progress: Progress | None, bar) -> None:
    total = len(chunked)
    t0, done = time.perf_counter(), 0
    for batch in batches(chunked, settings, embedder):
        if progress:
            progress(done / total, progress_text(done, total, time.perf_counter() - t0,
                                                  f"embedding {len(batch)} article{'s' if len(batch) != 1 else ''}"))
        for d, existed, chunks, vectors, sent_vecs, sent_spans in embed_batch(batch, embedder,
                                                                              settings.sentence_vectors_from):
            # written one article at a time, as before batching: delete-then-upsert, so a kill
            # leaves each article either absent or visibly incomplete (the next run redoes it)
            if existed:
                store.delete_doc(d.doc_id)
            store.upsert(chunks, vectors, sent_vecs, sent_spans)
            (rep.updated if existed else rep.added).append(d.doc_id)
            rep.chunks_written += len(chunks)
            done += 1
            if bar:
                bar.update(1)
            if progress:
                progress(done / total, progress_text(done, total, time.perf_counter() - t0, f"wrote {d.doc_id}"))




def progress_text(done: int, total: int, secs: float, what: str) -> str:
    """"12/514 articles · 2.3 articles/s · 3:40 left · <what>" (rate and time left once known)."""
    parts = [f"{done}/{total} articles"]
    if done and secs > 0:
        rate = done / secs
        left = int(round((total - done) / rate))
        parts += [f"{rate:.2f} articles/s", f"{left // 3600}:{left % 3600 // 60:02d}:{left % 60:02d} left"
                  if left >= 3600 else f"{left // 60}:{left % 60:02d} left"]
    return " · ".join(parts + [what])
