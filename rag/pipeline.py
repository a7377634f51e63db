"""The answering pipeline: validate (rag.question) -> (condense follow-up) -> retrieve -> choose
evidence sentences (rag.evidence) -> abstain, or prompt, generate (streamed) and check every claim
(rag.answer).
Components are built lazily by rag.factory."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from . import answer, condense, factory, lang, prompt
from .answer import AnswerStream
from .config import Settings
from .errors import EmptyIndexError, RagError
from .evidence import select as select_evidence
from .ingest import ingest, ingest_documents
from .load import is_url
from .load.text import date_range
from .question import parts as question_parts, validate_question
from .retrieve import HybridRetriever
from .store.index import check_meta
from .types import Answer, IngestReport, Passage


class Pipeline:
    def __init__(self, settings: Settings | None = None, *, embedder=None, store=None, generator=None,
                 memory: bool = False, show_progress: bool = False) -> None:
        self.s = settings or Settings()
        self._embedder, self._store, self._generator = embedder, store, generator
        self._memory, self._show_progress = memory, show_progress
        self._build_lock = threading.RLock()
        self._index_lock = threading.RLock()  # ingest and retrieval do not interleave
        self._retriever: HybridRetriever | None = None
        self._has_articles = False  # checked once: an empty index gets an error, not "nothing found"

    # -- lazily built parts ------------------------------------------------------------------
    @property
    def embedder(self):
        with self._build_lock:
            if self._embedder is None:
                self._embedder = factory.build_embedder(self.s, self._show_progress)
            return self._embedder

    @property
    def store(self):
        with self._build_lock:
            if self._store is None:
                self._store = factory.build_store(self.s, self.embedder.dim, memory=self._memory)
            return self._store

    @property
    def generator(self):
        with self._build_lock:
            if self._generator is None:
                self._generator = factory.build_generator(self.s)
            return self._generator

    @property
    def retriever(self) -> HybridRetriever:
        with self._build_lock:
            if self._retriever is None:
                check_meta(self.store, self.s, self.embedder, reading=True)
                self._retriever = HybridRetriever(self.store, self.embedder, self.s)
            return self._retriever

    # -- index -------------------------------------------------------------------------------
    def ingest(self, path: Path | str | None = None, progress=None, show_bar: bool = False,
               rebuild: bool = False, optimize: bool | None = None) -> IngestReport:
        """A file, a folder (default: the corpus folder) or an http(s) URL."""
        target = str(path).strip() if is_url(str(path)) else Path(path or self.s.corpus_dir)
        with self._index_lock:
            try:
                return ingest(target, self.store, self.embedder, self.s,
                              progress=progress, show_bar=show_bar, rebuild=rebuild, optimize=optimize)
            finally:  # a failed ingest may still have written some articles
                if self._retriever:
                    self._retriever.invalidate()

    def ingest_documents(self, docs, progress=None, show_bar: bool = False) -> IngestReport:
        """Documents built in code (the eval's distractor articles): added or replaced, never pruned."""
        with self._index_lock:
            try:
                return ingest_documents(docs, self.store, self.embedder, self.s, progress=progress,
                                        show_bar=show_bar)
            finally:
                if self._retriever:
                    self._retriever.invalidate()

    def articles(self) -> list[dict]:
        with self._index_lock:
            states = self.store.doc_states()
        return [{"doc_id": d, "title": st["title"], "chunks": st["count"], "complete": st["complete"],
                 "date": st.get("date", ""), "site": st.get("site", ""), "source": st["source"]}
                for d, st in sorted(states.items())]

    def delete_article(self, doc_id: str) -> None:
        with self._index_lock:
            self.store.delete_doc(doc_id)
            if self._retriever:
                self._retriever.invalidate()

    def embed(self, texts: list[str] | str) -> np.ndarray:
        return self.embedder.embed_documents([texts] if isinstance(texts, str) else list(texts))

    def retrieve(self, question: str, top_k: int | None = None, since: str | None = None,
                 until: str | None = None) -> list[Passage]:
        """since/until: only articles dated in that range (inclusive ISO dates)."""
        q = validate_question(question, self.s.max_question_chars)
        with self._index_lock:
            return self.retriever.retrieve(q, top_k or self.s.top_k, since=since, until=until)

    # -- answering ---------------------------------------------------------------------------
    def _complete(self, messages, max_tokens: int) -> str:
        return "".join(self.generator.stream(messages, max_tokens)).strip()

    def condense(self, question: str, history: list[dict[str, str]], language: str) -> str:
        return condense.condense(self._complete, self.s.prompts_dir, question, history, language,
                                 self.s.condense_max_tokens)

    def warm(self) -> None:
        """Load the models and read the fixed system prompt once, so llama.cpp serves it from its
        prompt cache and the first question only pays for its own evidence."""
        self.retriever
        system = prompt.render(self.s.prompts_dir, "system")
        "".join(self.generator.stream([{"role": "system", "content": system},
                                       {"role": "user", "content": "Hallo"}], 1))

    def ask(self, question: str, history: list[dict[str, str]] | None = None, since: str | None = None,
            until: str | None = None) -> Answer:
        return self.ask_stream(question, history, since, until).result()

    def ask_stream(self, question: str, history: list[dict[str, str]] | None = None,
                   since: str | None = None, until: str | None = None) -> AnswerStream:
        q = validate_question(question, self.s.max_question_chars)  # fail before streaming starts
        since, until = date_range(since, until)
        if not self.s.sentence_vectors:
            raise RagError("Answers are built from the index's sentence vectors, and these settings turn them "
                           "off: set RAG_SENTENCE_VECTORS=true and run `rag ingest --rebuild`.")
        self._check_not_empty()
        stream = AnswerStream(iter(()))
        stream._gen = self._run(q, history or [], stream, since, until)
        return stream

    def _check_not_empty(self) -> None:
        if self._has_articles:
            return
        with self._index_lock:
            self._has_articles = self.store.count() > 0
        if not self._has_articles:
            hint = ""
            if (self.s.local_index_path / "collection").exists() and self.s.store_backend != "qdrant-local":
                hint = (f" An index of the earlier store is at {self.s.local_index_path}: `rag ingest` builds the "
                        f"new one (Qdrant Edge), or set RAG_STORE_BACKEND=qdrant-local to keep using it.")
            raise EmptyIndexError(f"No articles are indexed yet. Run `rag ingest` (or add articles in the "
                                  f"Articles tab) first.{hint}")

    def _run(self, q: str, history: list[dict[str, str]], stream: AnswerStream, since: str | None = None,
             until: str | None = None) -> Iterator[str]:
        t0 = time.perf_counter()
        language = lang.detect(q)
        ans = Answer(question=q, text="", language=language, backend="")
        standalone = self.condense(q, history, language) if history else q
        ans.standalone_question = standalone
        t1 = time.perf_counter()
        with self._index_lock:
            qv = self.embedder.embed_queries([standalone])[0]
            passages = self.retriever.retrieve(standalone, self.s.top_k, query_vector=qv, since=since, until=until)
            sents = self.store.sentences([p.chunk_id for p in passages]) if passages else []
        for i, p in enumerate(passages, 1):
            p.number = i
        ans.passages = passages
        t2 = time.perf_counter()
        whole: dict[str, list] = {}

        def context(doc_id: str):  # an article's sentences, read once per answer
            if doc_id not in whole:
                with self._index_lock:
                    whole[doc_id] = self.store.sentences(doc_id=doc_id)
            return whole[doc_id]

        further = question_parts(standalone)
        with self._index_lock:
            part_vectors = list(self.embedder.embed_queries(further)) if further and sents else []
        evidence, missing = select_evidence(standalone, language, qv, passages, sents, self.s.evidence_chars,
                                            context=context, part_vectors=part_vectors)
        # neighbours may come from outside the retrieved passages: their vectors come with them
        sents = [*sents, *(x for e in evidence if e.neighbour for x in context(e.doc_id)
                           if x[0]["start"] == e.start)]
        ans.evidence, ans.missing = evidence, [t.text for t in missing if t.kind != "number"]
        ans.timings.update(condense_s=t1 - t0, retrieve_s=t2 - t1, select_s=time.perf_counter() - t2)
        yield from answer.write(ans, stream, evidence, passages, sents, standalone, lambda: self.generator,
                                self.embedder, self.s, t0)
