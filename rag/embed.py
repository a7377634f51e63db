"""Stage 3: embeddings. The default wraps sentence-transformers (EmbeddingGemma with its
query/document prompts); `LlamaIndexEmbedding` exposes any Embedder to llama-index."""
from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _normalize(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def resolve_device(device: str = "auto") -> str:
    """"auto": "cuda" when torch sees a GPU, else "cpu" (a GPU is used when present, never
    required); any other value is passed to torch as it is."""
    device = (device or "auto").strip()
    if device != "auto":
        return device
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"


class SentenceTransformerEmbedder:
    def __init__(self, path: Path, name: str, dim: int = 768, batch_size: int = 16,
                 show_progress: bool = False, device: str = "auto") -> None:
        from sentence_transformers import SentenceTransformer  # heavy: imported only when built

        self.name = name
        self.dim = dim
        self.batch_size = batch_size
        self.show_progress = show_progress
        self.device = resolve_device(device)
        self._model = SentenceTransformer(str(path), device=self.device, truncate_dim=dim)
        self._prompts = set(getattr(self._model, "prompts", {}) or {})
        # torch modules are not safe to call from several threads at once (Gradio serves in threads)
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        kw = {"prompt_name": prompt} if prompt in self._prompts else {}
        with self._lock:
            v = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                   show_progress_bar=self.show_progress and len(texts) > self.batch_size,
                                   convert_to_numpy=True, **kw)
        return _normalize(v)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "document")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")


class HashEmbedder:
    """Bag-of-hashed-words vectors. For unit tests of logic only: it knows no language."""

    def __init__(self, dim: int = 64) -> None:
        self.name = f"hash-{dim}"
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in re.findall(r"\w+", text.lower()):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return v

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.stack([self._one(t) for t in texts]))

    embed_queries = embed_documents


def llama_index_embedding(embedder):
    """Adapter so llama-index components (the quickstart baseline) use the same model."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class _Adapter(BaseEmbedding):
        _inner: object = PrivateAttr()

        def __init__(self, inner, **kw):
            super().__init__(model_name=inner.name, embed_batch_size=16, **kw)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.embed_documents([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.embed_documents(texts).tolist()

    return _Adapter(embedder)
