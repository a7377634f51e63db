"""Local, private, cited question answering over news articles.

    import rag
    rag.ingest("corpus")                       # incremental; also a file or an https:// URL
    rag.retrieve("What did China say?", top_k=5, since="2024-10-01")  # optional date range
    answer = rag.ask("What did China say about the deployment?")
    answer.text, answer.citations, answer.abstained
    s = rag.ask_stream("..."); [print(t, end="") for t in s]; s.answer
    rag.embed(["text"])                        # normalized numpy array

The module functions use one default Pipeline built from RAG_* settings on first use.
"""
from __future__ import annotations

import threading

from .config import Settings
from .errors import RagError
from .pipeline import AnswerStream, Pipeline
from .types import Answer, Citation, IngestReport, Passage

__all__ = ["Settings", "Pipeline", "Answer", "AnswerStream", "Citation", "Passage", "IngestReport",
           "RagError", "ingest", "retrieve", "embed", "ask", "ask_stream", "default_pipeline"]

_default: Pipeline | None = None
_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    global _default
    with _lock:
        if _default is None:
            _default = Pipeline(Settings())
        return _default


def ingest(path=None, **kw) -> IngestReport:
    return default_pipeline().ingest(path, **kw)


def retrieve(question: str, top_k: int = 5, since: str | None = None, until: str | None = None) -> list[Passage]:
    return default_pipeline().retrieve(question, top_k, since=since, until=until)


def embed(texts):
    return default_pipeline().embed(texts)


def ask(question: str, history=None, since: str | None = None, until: str | None = None) -> Answer:
    return default_pipeline().ask(question, history, since=since, until=until)


def ask_stream(question: str, history=None, since: str | None = None, until: str | None = None) -> AnswerStream:
    return default_pipeline().ask_stream(question, history, since=since, until=until)
