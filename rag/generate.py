"""Stage 7: text generation behind the Generator protocol: in-process llama.cpp (xllamacpp),
Ollama over HTTP, and a scripted generator for unit tests of the pipeline logic."""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import BackendUnavailableError, GenerationTimeoutError, ModelFileError

_DONE = object()


class LlamaCppGenerator:
    def __init__(self, path: Path, name: str, n_ctx: int = 4096, n_threads: int = 2,
                 temperature: float = 0.1, timeout_s: float = 180.0, repeat_penalty: float = 1.0,
                 repeat_last_n: int = 128, speculative: str = "none",
                 spec_ngram: tuple[int, int] = (6, 24)) -> None:
        import xllamacpp as xlc

        self.name = f"llama.cpp:{name}"
        # llama.cpp's own counts for the last answer (prompt tokens read, tokens served from the
        # prompt cache, prompt-reading rate): the reference rate every reported timing needs
        self.last_stats: dict[str, float] = {}
        self.temperature, self.timeout_s, self.repeat_penalty = temperature, timeout_s, repeat_penalty
        self.repeat_last_n = repeat_last_n
        p = xlc.CommonParams()
        p.model.path = str(path)
        p.n_ctx = n_ctx
        p.n_parallel = 1  # one request at a time on 2 cores; callers queue
        p.cpuparams.n_threads = n_threads
        p.cpuparams_batch.n_threads = n_threads
        p.warmup = False
        if speculative == "ngram":
            # self-speculation from the prompt (no draft model): greedy output stays the model's own,
            # only the verified draft tokens come faster
            p.speculative.types = [xlc.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
            p.speculative.ngram_simple.size_n, p.speculative.ngram_simple.size_m = spec_ngram
        p.verbosity = -1  # llama.cpp's per-request timing lines would drown the CLI output
        try:
            self._server = xlc.Server(p)
        except Exception as e:  # corrupt or truncated GGUF
            raise ModelFileError(f"llama.cpp could not load {path}: {e}. Run `rag fetch-models --verify`.") from e

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        q: queue.Queue = queue.Queue()
        stop = threading.Event()

        # timings come with every chunk (timings_per_token): an answer stopped mid-way (the reader
        # went away) still has llama.cpp's counts, the rates every timing needs
        def on_chunk(chunk) -> bool:
            if isinstance(chunk, dict):
                if "timings" in chunk:
                    t = chunk["timings"]
                    self.last_stats = {"prompt_tokens": t.get("prompt_n", 0), "cached_tokens": t.get("cache_n", 0),
                                       "prompt_tps": t.get("prompt_per_second", 0.0),
                                       "gen_tokens": t.get("predicted_n", 0), "gen_tps": t.get("predicted_per_second", 0.0)}
                if "error" in chunk:
                    q.put(RuntimeError(str(chunk["error"])))
                    return True
                for ch in chunk.get("choices", []):
                    piece = (ch.get("delta") or {}).get("content")
                    if piece:
                        q.put(piece)
            return stop.is_set()

        self.last_stats = {}

        def run() -> None:
            try:
                self._server.handle_chat_completions(
                    {"messages": messages, "max_tokens": max_tokens, "temperature": self.temperature,
                     "repeat_penalty": self.repeat_penalty, "repeat_last_n": self.repeat_last_n, "seed": 42,
                     "stream": True, "cache_prompt": True, "timings_per_token": True}, on_chunk)
            except Exception as e:  # surfaced to the consumer below
                q.put(e)
            finally:
                q.put(_DONE)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        deadline = time.monotonic() + self.timeout_s
        try:
            while True:
                try:
                    item = q.get(timeout=max(0.05, deadline - time.monotonic()))
                except queue.Empty:
                    stop.set()
                    raise GenerationTimeoutError(f"The model took longer than {self.timeout_s:.0f}s; "
                                                 f"raise RAG_LLM_TIMEOUT_S or ask a shorter question.")
                if item is _DONE:
                    return
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stop.set()  # the consumer went away or failed: let llama.cpp stop early


class OllamaGenerator:
    def __init__(self, host: str, model: str, temperature: float = 0.1, timeout_s: float = 180.0) -> None:
        import ollama

        self.host, self.model = host, model
        self.name = f"ollama:{model}@{host}"
        self.temperature, self.timeout_s = temperature, timeout_s
        self._client = ollama.Client(host=host, timeout=timeout_s)

    def _unavailable(self, e: Exception) -> BackendUnavailableError:
        return BackendUnavailableError(
            f"Cannot reach Ollama at {self.host} ({type(e).__name__}: {e}). Start it with `ollama serve` "
            f"and `ollama pull {self.model}`, or unset OLLAMA_HOST to use the built-in llama.cpp model.")

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        import httpx
        import ollama

        # httpx's timeout bounds each read; this bounds the whole answer (a slow drip included)
        deadline = time.monotonic() + self.timeout_s
        try:
            for part in self._client.chat(model=self.model, messages=messages, stream=True,
                                          options={"num_predict": max_tokens, "temperature": self.temperature}):
                piece = part["message"]["content"] if isinstance(part, dict) else part.message.content
                if piece:
                    yield piece
                if time.monotonic() > deadline:
                    raise GenerationTimeoutError(f"Ollama at {self.host} took longer than {self.timeout_s:g}s "
                                                 f"for one answer; raise RAG_LLM_TIMEOUT_S.")
        except httpx.TimeoutException as e:
            raise GenerationTimeoutError(f"Ollama at {self.host} timed out: {e}") from e
        except (httpx.TransportError, ConnectionError) as e:
            raise self._unavailable(e) from e
        except ValueError as e:  # not JSON: something other than Ollama answers on that port
            raise BackendUnavailableError(
                f"{self.host} did not answer like an Ollama server ({e}). Check OLLAMA_HOST.") from e
        except ollama.ResponseError as e:
            raise BackendUnavailableError(f"Ollama at {self.host} answered with an error: {e.error}. "
                                          f"Is the model pulled (`ollama pull {self.model}`)?") from e


class ScriptedGenerator:
    """Replies from a list (or a function of the messages). Unit tests of logic only."""

    def __init__(self, replies) -> None:
        self.name = "scripted"
        self.replies = replies
        self.calls: list[list[dict[str, str]]] = []

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        self.calls.append(messages)
        r = self.replies(messages) if callable(self.replies) else self.replies[(len(self.calls) - 1) % len(self.replies)]
        for i in range(0, len(r), 8):
            yield r[i:i + 8]
