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


def _cpu_has_bf16(cpuinfo: str | None = None) -> bool:
    """Whether the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX): where it does not,
    bfloat16 is emulated and slower than float32."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:  # not Linux: no way to tell cheaply, stay with float32
            return False
    flags = set(re.findall(r"\w+", next((ln for ln in cpuinfo.splitlines() if ln.startswith("flags")), "")))
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def resolve_dtype(dtype: str, device: str, cpuinfo: str | None = None) -> str:
    """"auto": bfloat16 on a CPU that has it natively (1.66x faster encoding here, vectors within
    cosine 0.998 of float32), else float32; any other value as it is."""
    if dtype != "auto":
        return dtype
    return "bfloat16" if device == "cpu" and _cpu_has_bf16(cpuinfo) else "float32"


class SentenceTransformerEmbedder:
    def __init__(self, path: Path, name: str, dim: int = 768, batch_size: int = 16,
                 show_progress: bool = False, device: str = "auto", dtype: str = "auto") -> None:
        import torch
        from sentence_transformers import SentenceTransformer  # heavy: imported only when built

        self.name = name
        self.dim = dim
        self.batch_size = batch_size
        self.show_progress = show_progress
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self._model = SentenceTransformer(str(path), device=self.device, truncate_dim=dim,
                                          model_kwargs={"torch_dtype": getattr(torch, self.dtype)})
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

    def embed_documents_with_spans(self, texts: Sequence[str], spans_per_text: Sequence[Sequence[tuple[int, int]]]
                                   ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors (the same encode call as `embed_documents`) and, from the same forward
        pass, a vector for each (start, end) span of each text: late chunking (see late_chunk.py)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        import torch
        from sentence_transformers.sentence_transformer.modules import Pooling

        from .late_chunk import pool_spans, token_groups
        m = self._model
        prompt = m.prompts.get("document", "") if "document" in self._prompts else ""
        kw = {"prompt_name": "document"} if prompt else {}
        at = next(i for i, mod in enumerate(m) if isinstance(mod, Pooling))
        with self._lock:
            feats = m.encode(list(texts), batch_size=self.batch_size, output_value=None,
                             show_progress_bar=self.show_progress and len(texts) > self.batch_size, **kw)
            enc = m.tokenizer([prompt + t for t in texts], return_offsets_mapping=True, truncation=True,
                              max_length=m.max_seq_length)
            pooled, owner, redo = [], [], []
            for k, (f, spans) in enumerate(zip(feats, spans_per_text)):
                n = int(f["attention_mask"].sum())
                offsets = enc["offset_mapping"][k]
                groups = token_groups(offsets, spans, len(prompt))
                if f["input_ids"][:n].tolist() != enc["input_ids"][k]:
                    groups = [[] for _ in spans]  # tokenized differently from the model: embed on its own
                pooled.append(pool_spans(f["token_embeddings"][:n].float().numpy(), groups))
                owner += [k] * len(spans)
                redo += [(k, j) for j, g in enumerate(groups) if not g]  # e.g. cut off by max_seq_length
            x = torch.from_numpy(np.concatenate(pooled)) if owner else torch.zeros((0, m[at].get_embedding_dimension()))
            feat = {"sentence_embedding": x.to(self.device, dtype=next(m.parameters()).dtype)}
            with torch.inference_mode():
                for mod in list(m)[at + 1:]:  # the head the passage mean goes through too
                    feat = mod(feat)
            svec = feat["sentence_embedding"].float().cpu().numpy()[:, :self.dim]
            pvec = torch.stack([f["sentence_embedding"] for f in feats]).float().cpu().numpy()[:, :self.dim]
        svec, pvec = _normalize(svec), _normalize(pvec)
        starts = np.cumsum([0] + [len(s) for s in spans_per_text])
        if redo:
            svec[[starts[k] + j for k, j in redo]] = self._encode(
                [texts[k][slice(*spans_per_text[k][j])] for k, j in redo], "document")
        return pvec, [svec[starts[k]:starts[k + 1]] for k in range(len(texts))]


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
