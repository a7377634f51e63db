"""An index's upkeep, for either backend: what it was built with (checked before every write, so
vectors of different models or chunkings never mix) and when Edge builds its search graphs."""
from __future__ import annotations

import time

from ..chunk import CHUNKER_VERSION
from ..errors import IndexMismatchError
from ..types import IngestReport
from .qdrant import STORE_LAYOUT


def index_meta(settings, embedder, store=None) -> dict:
    # each backend versions its own on-disk layout
    meta = {"layout": getattr(store, "layout", STORE_LAYOUT), "embed_model": embedder.name, "dim": embedder.dim, "chunker": CHUNKER_VERSION,
            "sentence_vectors": settings.sentence_vectors,
            "chunk_max_chars": settings.chunk_max_chars, "overlap": settings.chunk_overlap_sentences}
    # indexes built before late chunking have no such key: they hold "separate" sentence vectors
    if settings.sentence_vectors and settings.sentence_vectors_from != "separate":
        meta["sentence_vectors_from"] = settings.sentence_vectors_from
    if settings.sentence_vectors and settings.clause_vectors:
        meta["clauses"] = settings.clause_min_chars
    return meta


def check_meta(store, settings, embedder, reading: bool = False) -> None:
    """Refuse to mix vectors from different models or chunkings in one index. reading: only what
    makes the index unreadable counts; an index with or without clause vectors is searched alike
    (a sentence is then found by its whole vector only), so it need not be rebuilt to be asked."""
    want, have = index_meta(settings, embedder, store), store.get_meta()
    if have is None:
        return
    # keys only some indexes have (absent = the old way) count when either side has them
    want.setdefault("sentence_vectors_from", have.get("sentence_vectors_from") and "separate")
    want.setdefault("clauses", None)
    if reading:
        want.pop("clauses")
    diff = {k: (have.get(k), v) for k, v in want.items() if have.get(k) != v}
    if diff:
        what = ", ".join(f"{k}: index has {a!r}, settings say {b!r}" for k, (a, b) in diff.items())
        raise IndexMismatchError(f"The index was built differently ({what}). "
                                 f"Run `rag ingest --rebuild` to rebuild it with the current settings.")


def reset_if_mismatched(store, settings, embedder) -> str | None:
    """An index kept for reuse (the eval's) that was built with other settings is emptied to be
    rebuilt, not mixed. Returns why it was, None when it was not."""
    try:
        check_meta(store, settings, embedder)
        return None
    except IndexMismatchError as e:
        store.reset()
        return str(e)


def maybe_optimize(store, settings, rep: IngestReport, force: bool = False) -> None:
    """Edge: build the HNSW graphs after an ingest that wrote passages into an index of at least
    `edge_optimize_min_points` (force: whenever). Edge itself leaves segments under its indexing
    threshold plain, so after the first build a small ingest costs little."""
    optimize = getattr(store, "optimize", None)
    if optimize is None:
        return
    if not force:
        limit = settings.edge_optimize_min_points
        if not rep.chunks_written or limit <= 0 or store.count() < limit:
            return
    t0 = time.perf_counter()
    optimize()
    rep.optimize_seconds = time.perf_counter() - t0
