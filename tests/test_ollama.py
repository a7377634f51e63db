"""The Ollama backend against a loopback HTTP server that speaks Ollama's /api/chat protocol."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag import factory
from rag.errors import BackendUnavailableError


class FakeOllama(BaseHTTPRequestHandler):
    requests: list = []

    def log_message(self, *a):  # keep test output clean
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOllama.requests.append((self.path, body))
        if body.get("model") == "missing":
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error":"model \\"missing\\" not found, try pulling it first"}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for piece in ["Lin Jian sagte, ", "die DVRK und Russland ", "seien souveräne Staaten. [1]"]:
            self.wfile.write((json.dumps({"model": body["model"], "created_at": "2026-01-01T00:00:00Z",
                                          "message": {"role": "assistant", "content": piece},
                                          "done": False}) + "\n").encode())
            self.wfile.flush()
        self.wfile.write((json.dumps({"model": body["model"], "created_at": "2026-01-01T00:00:00Z",
                                      "message": {"role": "assistant", "content": ""}, "done": True,
                                      "done_reason": "stop"}) + "\n").encode())


@pytest.fixture
def ollama_host():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeOllama)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    FakeOllama.requests = []
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_ollama_host_selects_the_ollama_backend_and_streams(hash_settings, ollama_host):
    s = hash_settings.model_copy(update={"llm_backend": "auto", "ollama_host": ollama_host,
                                         "ollama_model": "qwen2.5:1.5b"})
    gen = factory.build_generator(s)
    assert gen.name == f"ollama:qwen2.5:1.5b@{ollama_host}"
    pieces = list(gen.stream([{"role": "user", "content": "hi"}], max_tokens=50))
    assert pieces == ["Lin Jian sagte, ", "die DVRK und Russland ", "seien souveräne Staaten. [1]"]
    path, body = FakeOllama.requests[-1]
    assert path == "/api/chat" and body["stream"] is True and body["options"]["num_predict"] == 50


def test_pipeline_answers_through_ollama(hash_settings, ollama_host):
    from rag.pipeline import Pipeline
    s = hash_settings.model_copy(update={"llm_backend": "ollama", "ollama_host": ollama_host})
    p = Pipeline(s, memory=True)
    p.ingest(s.corpus_dir)
    a = p.ask("Was sagte Lin Jian?")
    assert a.backend.startswith("ollama:") and not a.abstained
    assert any("Lin Jian" in c.text for c in a.citations)


def test_missing_model_and_dead_server_give_clear_messages(ollama_host):
    from rag.generate import OllamaGenerator
    with pytest.raises(BackendUnavailableError, match="ollama pull missing"):
        list(OllamaGenerator(ollama_host, "missing").stream([{"role": "user", "content": "hi"}], 5))
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(BackendUnavailableError, match=r"Cannot reach Ollama at http://127.0.0.1:9.*ollama serve"):
        list(OllamaGenerator(dead, "m", timeout_s=5).stream([{"role": "user", "content": "hi"}], 5))
