"""The one place where concrete classes are named. Heavy imports happen inside the builders."""
from __future__ import annotations

from .config import Settings
from .errors import RagError


def build_embedder(s: Settings, show_progress: bool = False):
    if s.embed_backend == "hash":
        from .embed import HashEmbedder
        return HashEmbedder(s.embed_dim)
    from . import models
    from .embed import SentenceTransformerEmbedder
    path = models.require(s.model_dir, s.embed_model)
    return SentenceTransformerEmbedder(path, s.embed_model, s.embed_dim, s.embed_batch_size, show_progress,
                                       device=s.embed_device, dtype=s.embed_dtype)


def build_store(s: Settings, dim: int, memory: bool = False):
    """memory=True: qdrant-client's in-memory mode (unit tests). Otherwise Qdrant Edge on disk, unless
    a server is configured (QDRANT_URL) or local mode is asked for."""
    server = s.store_backend == "auto" and bool(s.qdrant_url)
    if not memory and not server and s.store_backend in ("auto", "edge"):
        from .store.edge import EdgeStore
        return EdgeStore(dim, s.edge_index_path)
    from .store import QdrantStore
    if memory:
        return QdrantStore(dim, s.collection, memory=True)
    return QdrantStore(dim, s.collection, path=s.local_index_path, url=s.qdrant_url if server else None,
                       api_key=s.qdrant_api_key)


def build_generator(s: Settings):
    if s.llm_backend == "ollama" or (s.llm_backend == "auto" and s.ollama_host):
        from .generate import OllamaGenerator
        return OllamaGenerator(s.ollama_host or "http://127.0.0.1:11434", s.ollama_model,
                               s.temperature, s.llm_timeout_s)
    if s.llm_backend in ("auto", "llamacpp"):
        from . import models
        from .generate import LlamaCppGenerator
        path = models.require(s.model_dir, s.llm_model)
        return LlamaCppGenerator(path, s.llm_model, n_ctx=s.n_ctx, n_threads=s.n_threads,
                                 temperature=s.temperature, timeout_s=s.llm_timeout_s,
                                 repeat_penalty=s.repeat_penalty, speculative=s.speculative,
                                 spec_ngram=(s.spec_ngram_n, s.spec_ngram_m))
    raise RagError(f"llm_backend {s.llm_backend!r} needs a generator passed in explicitly (tests only)")
