"""Opening a Qdrant Edge shard and keeping its writes safe: the shard's config (vectors, BM25,
payload indexes), the lock and open errors, and the free-space guard before every write."""
from __future__ import annotations

import errno
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..errors import RagError
from .base import locked_error, write_error

# Edge writes through memory-mapped files: when the disk fills up under them the process dies of
# SIGBUS (seen on a 4 MiB tmpfs: an empty shard alone takes ~6.5 MB) instead of getting an error.
# So every write first checks for this much free space and refuses cleanly below it.
MIN_FREE_BYTES = 64 * 2**20
VECTOR_MEMORY = "Cold"  # see shard_config; None: Edge's default
_DISK = ("no space", "os error 28", "read-only file system", "permission denied", "os error 13", "os error 30")


def shard_config(qe, dim: int, **extra):
    """The shard's EdgeConfig; extra: other EdgeConfig fields (optimizer or HNSW settings)."""
    maxsim = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    # Cold: the vectors stay in their memory-mapped files and are read when a search needs them.
    # Edge's default (Cached) reads every vector file into memory when the shard is opened.
    mem = VECTOR_MEMORY and getattr(qe.Memory, VECTOR_MEMORY)
    return qe.EdgeConfig(
        vectors={"chunk": qe.EdgeVectorParams(size=dim, distance=qe.Distance.Dot, memory=mem),
                 "sent": qe.EdgeVectorParams(size=dim, distance=qe.Distance.Dot, multivector_config=maxsim,
                                             memory=mem)},
        sparse_vectors={"bm25": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)}, **extra)


def open_shard(qe, path: Path, dim: int):
    """The shard in `path`, created (with its payload indexes) when there is none yet."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        check_space(path)
        if (path / "edge_config.json").exists():
            return qe.EdgeShard.load(str(path))
        shard = qe.EdgeShard.create(str(path), shard_config(qe, dim))
        # doc_id: delete an article by filter; date: "YYYY-MM-DD" ranges, parsed as datetimes
        shard.update(qe.UpdateOperation.create_field_index("doc_id", qe.PayloadSchemaType.Keyword))
        shard.update(qe.UpdateOperation.create_field_index("date", qe.PayloadSchemaType.Datetime))
        return shard
    except Exception as e:
        if "WouldBlock" in str(e):  # the WAL's file lock: one open shard per directory
            raise locked_error(path) from e
        if _disk_error(e):
            raise write_error(e, str(path)) from e
        raise RagError(f"Cannot open the index at {path}: {e}. "
                       f"Run `rag ingest --rebuild` to rebuild it.") from e


def check_space(path: Path) -> None:
    if shutil.disk_usage(path).free < MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, "less than 64 MiB free")


def _disk_error(e: Exception) -> bool:
    # Edge reports disk errors as plain exceptions that name the OS error
    return isinstance(e, OSError) or any(s in str(e).lower() for s in _DISK)


@contextmanager
def writing(path: Path):
    """A write to the shard in `path`: refused below the free-space guard; disk errors -> one RagError."""
    try:
        check_space(path)
        yield
    except Exception as e:
        if _disk_error(e):
            raise write_error(e, str(path)) from e
        raise
