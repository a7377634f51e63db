"""One settings object for the whole system, read from RAG_* environment variables.

Built once at an entry point (CLI, app, `rag.default_settings()`) and passed down;
no module reads the environment on its own.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-news"


def _default_distractors() -> Path | None:
    """The 514 de-news articles shipped beside the repository, when they are there."""
    p = ROOT.parent / "shared" / "fixtures" / "de-news" / "articles.csv"
    return p if p.exists() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    # where things live
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    cache_dir: Path = Field(default_factory=_default_cache)
    qdrant_url: str | None = Field(None, validation_alias=AliasChoices("RAG_QDRANT_URL", "QDRANT_URL"))
    qdrant_api_key: str | None = None
    collection: str = "articles"
    # auto: Qdrant Edge in process under index/edge/, or the Qdrant server of QDRANT_URL when set;
    # edge: Qdrant Edge even where QDRANT_URL is set; qdrant-local: qdrant-client's local mode under
    # index/qdrant/ (the store before Edge: every vector in RAM, re-read from SQLite at open)
    store_backend: Literal["auto", "edge", "qdrant-local"] = "auto"
    # Edge builds its HNSW graphs only when asked (EdgeStore.optimize()); until then every search is
    # an exact scan. An ingest that wrote passages asks once the index holds this many; 0 (default):
    # only `rag ingest --optimize`. At 10,000 articles (bench/results.md part 2) the scan answers in
    # 84/119 ms p50/p95, while the build takes minutes and GBs and HNSW changes the MaxSim top 10 a lot
    edge_optimize_min_points: int = 0

    # embedding
    embed_backend: Literal["sentence-transformers", "hash"] = "sentence-transformers"
    embed_model: str = "embeddinggemma-300m"
    embed_dim: int = 768  # EmbeddingGemma is Matryoshka: 256 also works
    embed_batch_size: int = 16
    # auto: "cuda" when torch sees a GPU, else "cpu"; or any torch device string ("cpu", "cuda:1", "mps")
    embed_device: str = "auto"
    # auto: bfloat16 on a CPU with native bfloat16 (AVX512-BF16/AMX: 1.66x faster here, vectors within
    # cosine 0.998 of float32, retrieval measured by the eval), else float32. Not part of the index
    # meta: an index built either way answers queries embedded the other way as well
    embed_dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    # ingest embeds the passages and sentences of several articles in one call, about this many
    # texts (whole articles; the vectors do not change, only the grouping of the calls)
    ingest_batch_texts: int = 200

    # chunking
    chunk_max_chars: int = 700
    chunk_overlap_sentences: int = 1

    # retrieval
    top_k: int = 12  # passages whose sentences compete to be evidence
    evidence_chars: int = 900  # evidence budget: ~260 prompt tokens of German, read in seconds on 2 cores
    # below this (cosine of the best sentence to the question + key-term bonus) nothing is evidence
    abstain_min_evidence: float = 0.30
    candidates: int = 30
    support_threshold: float = 0.35
    condense_max_tokens: int = 64
    rrf_k: int = 60
    lexical_weight: float = 1.0
    lexical_floor: float = 3.0  # top BM25 score at which lexical evidence starts to count ...
    lexical_span: float = 4.0   # ... and how far above the floor it counts fully
    # ... and only as far as the best BM25 match stands out: best / k-th score above this floor,
    # fully this far above it (a score that grows with the collection's IDF does not say that)
    lexical_peak_rank: int = 10
    lexical_peak_floor: float = 1.5
    lexical_peak_span: float = 1.0
    dense_weight: float = 1.0
    sentence_vectors: bool = True  # also index each sentence (MaxSim)
    # passage: a sentence's vector is pooled from its passage's forward pass (late chunking: one
    # encode pass at ingest, and the vector knows its context); separate: each sentence encoded
    # on its own (a second encode pass over the whole text)
    sentence_vectors_from: Literal["passage", "separate"] = "passage"
    # and a vector for each clause of a sentence longer than clause_min_chars (chunk.clause_spans):
    # rows of the same multivector, so a passage and a sentence are found by their best clause
    clause_vectors: bool = True
    clause_min_chars: int = Field(200, ge=40)
    sentence_weight: float = 1.0

    # generation
    # auto: Ollama when OLLAMA_HOST is set, else the in-process llama.cpp model
    llm_backend: Literal["auto", "llamacpp", "ollama", "scripted"] = "auto"
    llm_model: str = "qwen2.5-coder-1.5b-instruct"
    ollama_host: str | None = Field(None, validation_alias=AliasChoices("RAG_OLLAMA_HOST", "OLLAMA_HOST"))
    ollama_model: str = "qwen2.5:1.5b-instruct"
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    max_tokens: int = 220
    temperature: float = 0.0  # greedy: the same question gets the same answer
    # llama.cpp counts the prompt's last tokens (the evidence, the question) as already said, so any
    # penalty above 1 pushes the model away from copying names and figures exactly; measured on the
    # tune split, 1.15 -> 1.0 raised key facts 0.603 -> 0.683 (README)
    repeat_penalty: float = 1.0
    # answers copy names, quotes and whole German sentences from the evidence: llama.cpp drafts the
    # tokens that followed the last `spec_ngram_n` tokens where they occur earlier in the prompt and
    # checks the draft in one batch, at prompt-reading speed (README: generation time on the tune
    # questions 99 s -> 59 s). "none" decodes one token at a time.
    speculative: Literal["ngram", "none"] = "ngram"
    spec_ngram_n: int = Field(6, ge=1, le=64)
    spec_ngram_m: int = Field(24, ge=1, le=256)
    llm_timeout_s: float = 180.0
    prompts_dir: Path = ROOT / "prompts"

    # evaluation among distractors (`rag eval --distractors`): real articles indexed next to corpus/
    distractors_csv: Path | None = Field(default_factory=lambda: _default_distractors())

    # limits
    max_question_chars: int = 2000
    max_upload_mb: float = 10.0
    max_files_per_upload: int = 20
    max_article_chars: int = 2_000_000

    # fetching articles by URL (`rag ingest https://...`, the Articles tab)
    fetch_timeout_s: float = 20.0
    fetch_max_mb: float = 10.0
    # loopback/private/link-local addresses are refused (server-side request forgery) unless
    # allowed for all hosts, or for the host names listed (e.g. an intranet news server)
    fetch_allow_private: bool = False
    fetch_allowed_hosts: list[str] = []

    # server
    host: str = "127.0.0.1"
    port: int = 7860
    password: str | None = None
    username: str = "rag"
    concurrency: int = 1
    max_queue: int = 32

    @property
    def model_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def local_index_path(self) -> Path:
        return self.index_dir / "qdrant"

    @property
    def edge_index_path(self) -> Path:
        return self.index_dir / "edge" / self.collection


def load_settings() -> Settings:
    """Settings from the environment, for the entry points: a bad RAG_* value becomes one line that
    names the variable, what it holds and what it may hold, instead of a traceback."""
    from pydantic import ValidationError

    from .errors import RagError
    try:
        return Settings()
    except ValidationError as e:
        bad = "; ".join(f"RAG_{'_'.join(str(x) for x in err['loc']).upper()}={err.get('input')!r}: {err['msg']}"
                        for err in e.errors())
        raise RagError(f"invalid setting: {bad}") from None
