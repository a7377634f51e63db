"""Shared fixtures. Model fixtures are session-scoped: each model loads once per test run.
Fast tests use the hash embedder + scripted generator (logic only); tests marked `slow` use
the real EmbeddingGemma, Qdrant local mode and llama.cpp models."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from rag.config import ROOT, Settings

CORPUS = ROOT / "corpus"


def make_settings(tmp_path: Path, **kw) -> Settings:
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        shutil.copytree(CORPUS, corpus)
    base = dict(corpus_dir=corpus, index_dir=tmp_path / "index", collection=f"t_{uuid.uuid4().hex[:10]}")
    base.update(kw)
    return Settings(**base)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def hash_settings(tmp_path) -> Settings:
    return make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_backend="scripted",
                         abstain_min_evidence=0.0, support_threshold=0.2)


@pytest.fixture
def hash_pipeline(hash_settings):
    """Logic-only pipeline: hash embedder, in-memory Qdrant, scripted LLM (set .generator.replies)."""
    from rag.generate import ScriptedGenerator
    from rag.pipeline import Pipeline
    p = Pipeline(hash_settings, memory=True, generator=ScriptedGenerator(["The articles do not say."]))
    yield p
    p.store.close()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("real"))


@pytest.fixture(scope="session")
def real_embedder(real_settings):
    from rag import factory
    return factory.build_embedder(real_settings)


@pytest.fixture(scope="session")
def real_llm(real_settings):
    """The default Qwen2.5 1.5B GGUF through llama.cpp."""
    from rag import factory
    return factory.build_generator(real_settings.model_copy(update={"llm_backend": "llamacpp"}))


@pytest.fixture(scope="session")
def real_pipeline(real_settings, real_embedder, real_llm):
    """Real embedder, real Qdrant (in-memory, unique collection), real LLM, corpus ingested once."""
    from rag.pipeline import Pipeline
    p = Pipeline(real_settings, embedder=real_embedder, generator=real_llm, memory=True)
    p.ingest(real_settings.corpus_dir)
    yield p
    p.store.close()
