"""Stage 4: storage, behind the Store protocol. Two backends: QdrantStore (qdrant-client: local
mode, `:memory:` for tests, or a Qdrant server) and EdgeStore (Qdrant Edge, in process, on disk).
EdgeStore is imported lazily: only the factory and its tests need qdrant_edge."""
from __future__ import annotations

from .base import _NS, _pid  # noqa: F401  (tests address points by id)
from .qdrant import STORE_LAYOUT, QdrantStore


def __getattr__(name: str):
    if name in ("EdgeStore", "EDGE_LAYOUT"):
        from . import edge
        return getattr(edge, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["QdrantStore", "STORE_LAYOUT", "EdgeStore", "EDGE_LAYOUT"]
