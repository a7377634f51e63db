#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: virtualenv, Python packages, model files (checksummed,
# cached in ~/.cache/rag-news, outside git), the index. `make chat` and `make test` call this.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${RAG_VENV:-.venv}
WITH_BROWSER=0
for a in "$@"; do [ "$a" = "--browser" ] && WITH_BROWSER=1; done

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "== installing Python packages (first run: a few minutes)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -U pip 2>&1 | grep -v '^WARNING: Location' || true
  # the CPU build of torch first: a bare `torch` requirement would pull a multi-GB CUDA build
  "$VENV/bin/pip" install -q --disable-pip-version-check "torch==2.13.0" 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c "import rag, torch, sentence_transformers, qdrant_client, gradio, xllamacpp" \
    || { echo "package install failed" >&2; exit 1; }
  rm -f "$VENV"/.installed-*; touch "$stamp"
fi

echo "== models"
"$VENV/bin/rag" fetch-models embeddinggemma-300m qwen2.5-coder-1.5b-instruct qwen2.5-coder-0.5b-instruct

if [ "$WITH_BROWSER" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian chromium for the browser test"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will be skipped" >&2
  else
    echo "warning: chromium missing and not root; install it (apt-get install chromium) for browser tests" >&2
  fi
fi
