"""Reaching Qdrant through qdrant-client (local mode on disk, `:memory:`, or a server) with one
clear error for each way it fails, and creating the collections QdrantStore uses."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import RagError
from .base import locked_error, write_error


def connect(url: str | None, api_key: str | None, path: Path | None, memory: bool, ensure):
    """A client, with `ensure(client)` run on it (the collections): opening local mode is lazy,
    so a locked or unwritable folder shows only there."""
    from qdrant_client import QdrantClient

    location = url or (":memory:" if memory else str(path))
    try:
        if url:
            client = QdrantClient(url=url, api_key=api_key, timeout=30)
        elif memory:
            client = QdrantClient(":memory:")
        else:
            path.mkdir(parents=True, exist_ok=True)
            client = QdrantClient(path=str(path))
        ensure(client)
        return client
    except RuntimeError as e:
        if "already accessed" in str(e):
            raise locked_error(path) from e
        raise
    except (OSError, sqlite3.Error) as e:
        if url:
            raise RagError(f"Cannot reach the Qdrant server at {url}: {e}. Check QDRANT_URL.") from e
        raise write_error(e, location) from e
    except Exception as e:  # server unreachable and the like
        if url:
            raise RagError(f"Cannot reach the Qdrant server at {url}: {e}. Check QDRANT_URL.") from e
        raise


def ensure_collections(client, qm, dim: int, vector_collections, meta_collection: str, server: bool) -> None:
    # Vectors are stored unit length and compared by DOT (= cosine): local mode then scores
    # with one matrix product instead of re-normalising every stored vector per query.
    # Sentences are plain points, not a multivector: local mode computes MaxSim point by
    # point in Python (15 s at 120k passages); plain points are one matrix product as well.
    for name in vector_collections:
        if not client.collection_exists(name):
            client.create_collection(name, vectors_config={
                "chunk": qm.VectorParams(size=dim, distance=qm.Distance.DOT)})
            if server:
                for key in ("doc_id", "chunk_id"):
                    client.create_payload_index(name, key, qm.PayloadSchemaType.KEYWORD)
                client.create_payload_index(name, "date_ord", qm.PayloadSchemaType.INTEGER)
    if not client.collection_exists(meta_collection):
        client.create_collection(meta_collection, vectors_config=qm.VectorParams(size=1, distance=qm.Distance.DOT))
