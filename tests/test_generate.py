"""LlamaCppGenerator's wiring into llama.cpp's server parameters (no model is loaded: the server
class is replaced by a recorder; the real model runs in tests/test_answer_real.py)."""
from __future__ import annotations

import pytest

from rag import factory, models
from rag.config import Settings

xlc = pytest.importorskip("xllamacpp")


@pytest.fixture
def built_params(tmp_path, monkeypatch):
    seen = []

    class RecordingServer:
        def __init__(self, params):
            seen.append(params)

    monkeypatch.setattr(xlc, "Server", RecordingServer)
    monkeypatch.setattr(models, "require", lambda model_dir, name: tmp_path / "model.gguf")

    def build(**kw):
        factory.build_generator(Settings(llm_backend="llamacpp", **kw))
        return seen[-1]
    return build


def test_ngram_speculation_is_the_default_and_takes_its_sizes(built_params):
    spec = built_params(spec_ngram_n=5, spec_ngram_m=20).speculative
    assert spec.types == [xlc.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    assert (spec.ngram_simple.size_n, spec.ngram_simple.size_m) == (5, 20)


def test_speculation_can_be_switched_off(built_params):
    assert built_params(speculative="none").speculative.types == [
        xlc.common_speculative_type.COMMON_SPECULATIVE_TYPE_NONE]


def test_speculation_setting_is_validated():
    with pytest.raises(ValueError):
        Settings(speculative="draft-model")
    with pytest.raises(ValueError):
        Settings(spec_ngram_n=0)
