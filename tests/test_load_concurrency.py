"""Load: the Gradio app in-process on a loopback port, several gradio_client sessions at once.

The LLM is a scripted stand-in that takes 0.5 s per reply, so the figures show the queueing, not
the model (the real llama.cpp model serves one request at a time and takes 20-60 s per answer on
2 cores, so with it every figure here scales by that). Prints throughput, p50/p95 latency and peak
RSS of the process (app + pipeline + clients); asserts every request completed without error."""
from __future__ import annotations

import re
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

import psutil
import pytest
from conftest import make_settings
from gradio_client import Client

from rag.generate import ScriptedGenerator
from rag.pipeline import Pipeline

REPLY_S = 0.5
SESSIONS = 4
QUESTIONS = ["What did China say about the deployment?",
             "Wie viele nordkoreanische Soldaten sind laut Seoul in Russland?",
             "Was forderten die USA von China?",
             "Where were North Korean troops fighting?"]


class SlowScripted(ScriptedGenerator):
    """Repeats evidence sentence [1] with a citation, after REPLY_S seconds of 'thinking'."""

    def __init__(self):
        super().__init__(self._reply)
        self._lock, self.active, self.peak_active = threading.Lock(), 0, 0

    @staticmethod
    def _reply(messages) -> str:
        text = messages[-1]["content"]
        if "Rewritten question" in text:
            return re.search(r"Last question: (.*)", text).group(1)
        return re.search(r"^\[1\] (.*)$", text, re.M).group(1).strip() + " [1]"

    def stream(self, messages, max_tokens):
        with self._lock:
            self.active += 1
            self.peak_active = max(self.peak_active, self.active)
        try:
            time.sleep(REPLY_S)
            yield from super().stream(messages, max_tokens)
        finally:
            with self._lock:
                self.active -= 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RSSPeak:
    def __init__(self):
        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(2)


def run_app(tmp_path, **kw):
    from rag.ui.app import build_app, serve
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_backend="scripted",
                      abstain_min_evidence=0.0, support_threshold=0.2, **kw)
    gen = SlowScripted()
    pipe = Pipeline(s, memory=True, generator=gen)
    pipe.ingest()
    app = build_app(pipe, s)
    _, url, _ = serve(app, s, "127.0.0.1", free_port(), block=False)
    return app, url, pipe, gen


def session(url: str, k: int, n_questions: int) -> list[tuple[str, float, object]]:
    """One user: own client, asks n questions (the first on /ask, the next on the chat endpoint)."""
    client = Client(url, verbose=False, download_files=False)
    out = []
    for j in range(n_questions):
        q = QUESTIONS[(k + j) % len(QUESTIONS)]
        t0 = time.perf_counter()
        try:
            if j == 0:
                res = client.predict(q, [], api_name="/ask")
                ok = bool(res["text"]) and (res["citations"] or res["abstained"])
            else:
                chat, sources, _, status, _ = client.predict(q, [], api_name="/chat")
                ok = bool(chat) and "error" not in str(status).lower()
            out.append(("ok" if ok else f"bad result {res if j == 0 else chat}", time.perf_counter() - t0, q))
        except Exception as e:  # noqa: BLE001 - counted, and the test fails on any
            out.append((f"{type(e).__name__}: {e}", time.perf_counter() - t0, q))
    return out


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("concurrency", [1, 4])
def test_concurrent_sessions_all_complete(tmp_path, concurrency):
    app, url, pipe, gen = run_app(tmp_path, concurrency=concurrency)
    try:
        with RSSPeak() as rss, ThreadPoolExecutor(SESSIONS) as pool:
            t0 = time.perf_counter()
            futs = [pool.submit(session, url, k, 2) for k in range(SESSIONS)]
            done, not_done = wait(futs, timeout=150)
            wall = time.perf_counter() - t0
        assert not not_done, f"{len(not_done)} sessions still running after 150 s"
    finally:
        app.close()
        pipe.store.close()
    results = [r for f in futs for r in f.result()]
    errors = [r for r in results if r[0] != "ok"]
    lat = [r[1] for r in results]
    n = len(results)
    print(f"\nload concurrency={concurrency}: {SESSIONS} sessions x 2 questions = {n} requests in {wall:.1f}s; "
          f"throughput {n / wall:.2f} req/s; latency p50 {statistics.median(lat):.2f}s p95 {p95(lat):.2f}s "
          f"max {max(lat):.2f}s; LLM calls in parallel at most {gen.peak_active}; peak RSS "
          f"{rss.peak / 2**20:.0f} MiB; errors {len(errors)}")
    assert not errors, errors
    assert n == SESSIONS * 2 and len(gen.calls) == n  # every request reached the model exactly once
    assert gen.peak_active <= concurrency  # the app's concurrency limit holds
    if concurrency == 1:  # one at a time: the requests queue, none is dropped
        assert wall >= n * REPLY_S * 0.95 and max(lat) >= (SESSIONS - 1) * REPLY_S
    else:
        assert gen.peak_active >= 2  # and they do overlap when allowed


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_full_queue_refuses_extra_users_cleanly(tmp_path):
    """max_queue is a setting: past it, users get Gradio's 'queue is full' instead of waiting."""
    app, url, pipe, gen = run_app(tmp_path, concurrency=1, max_queue=1)
    try:
        clients = [Client(url, verbose=False, download_files=False) for _ in range(5)]
        with ThreadPoolExecutor(5) as pool:
            futs = [pool.submit(c.predict, QUESTIONS[0], [], api_name="/ask") for c in clients]
            done, not_done = wait(futs, timeout=120)
        assert not not_done
    finally:
        app.close()
        pipe.store.close()
    outcomes = [f.exception() for f in futs]
    refused = [e for e in outcomes if e is not None]
    print(f"\nmax_queue=1, 5 simultaneous users: {5 - len(refused)} answered, {len(refused)} refused: "
          f"{sorted({str(e)[:80] for e in refused})}")
    assert 1 <= 5 - len(refused) < 5 and refused
    assert all("queue is full" in str(e).lower() for e in refused), refused
    assert all(f.result()["text"] for f in futs if f.exception() is None)
