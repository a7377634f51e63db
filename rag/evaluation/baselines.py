"""Baselines the pipeline is measured against in the same run:

* `quickstart`: the plain llama-index quickstart -- `VectorStoreIndex.from_documents` with the
  default SentenceSplitter chunking, its default in-memory SimpleVectorStore, and
  `index.as_query_engine(llm=..., similarity_top_k=...)` -- on the *same* embedder and LLM.
  Everything is passed explicitly: llama_index.core.Settings defaults (OpenAI) are never used.
* `bm25` / `dense`: our HybridRetriever in mode "lexical" / "dense" (retrieval only).
"""
from __future__ import annotations

import time
from collections.abc import Sequence

from ..retrieve import HybridRetriever
from ..types import Document, Passage

QUICKSTART_TOP_K = 2  # llama-index's default similarity_top_k for as_query_engine


def generator_llm(generator, context_window: int = 4096, num_output: int = 300):
    """A llama-index CustomLLM around our Generator protocol (`generator.stream(messages, n)`)."""
    from llama_index.core.llms import (ChatMessage, ChatResponse, CompletionResponse, CustomLLM,
                                       LLMMetadata, MessageRole)
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from pydantic import PrivateAttr

    def _dicts(messages) -> list[dict[str, str]]:
        return [{"role": getattr(m.role, "value", str(m.role)), "content": m.content or ""} for m in messages]

    class GeneratorLLM(CustomLLM):
        context_window: int = 4096
        num_output: int = 300
        model_name: str = "rag-generator"
        _gen: object = PrivateAttr()

        def __init__(self, gen, **kw):
            super().__init__(**kw)
            self._gen = gen

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                               model_name=self.model_name, is_chat_model=True)

        def _stream(self, messages):
            return self._gen.stream(messages, self.num_output)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponse:
            return CompletionResponse(text="".join(self._stream([{"role": "user", "content": prompt}])))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kw):
            def gen():
                acc = ""
                for piece in self._stream([{"role": "user", "content": prompt}]):
                    acc += piece
                    yield CompletionResponse(text=acc, delta=piece)
            return gen()

        @llm_chat_callback()
        def chat(self, messages, **kw) -> ChatResponse:
            text = "".join(self._stream(_dicts(messages)))
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

        @llm_chat_callback()
        def stream_chat(self, messages, **kw):
            def gen():
                acc = ""
                for piece in self._stream(_dicts(messages)):
                    acc += piece
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=acc), delta=piece)
            return gen()

    return GeneratorLLM(generator, context_window=context_window, num_output=num_output,
                        model_name=getattr(generator, "name", "rag-generator"))


def _node_passage(nws) -> Passage:
    n = nws.node
    meta = n.metadata or {}
    return Passage(chunk_id=n.node_id, doc_id=meta.get("file_name", n.ref_doc_id or ""),
                   title=meta.get("title", ""), text=n.get_content(), start=n.start_char_idx or 0,
                   end=n.end_char_idx if n.end_char_idx is not None else len(n.get_content()),
                   score=float(nws.score or 0.0), dense_score=float(nws.score or 0.0))


class Quickstart:
    """The llama-index quickstart over the same articles (rag.load text, so offsets line up)."""

    def __init__(self, docs: Sequence[Document], embedder, generator=None, top_k: int = QUICKSTART_TOP_K,
                 context_window: int = 4096, num_output: int = 300) -> None:
        from llama_index.core import Document as LIDocument
        from llama_index.core import VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        from ..embed import llama_index_embedding

        t0 = time.perf_counter()
        li_docs = [LIDocument(text=d.text, id_=d.doc_id, metadata={"file_name": d.doc_id}) for d in docs]
        self.index = VectorStoreIndex.from_documents(
            li_docs, embed_model=llama_index_embedding(embedder), transformations=[SentenceSplitter()])
        self.build_s = time.perf_counter() - t0
        self.n_nodes = len(self.index.docstore.docs)
        self.top_k = top_k
        self._engine = None
        if generator is not None:
            # leave headroom: llama-index counts tokens with tiktoken, the LLM with its own tokenizer
            self.llm = generator_llm(generator, max(512, context_window - 512), num_output)
            self._engine = self.index.as_query_engine(llm=self.llm, similarity_top_k=top_k)

    def retrieve(self, question: str, k: int = 10) -> list[Passage]:
        nodes = self.index.as_retriever(similarity_top_k=k).retrieve(question)
        return [_node_passage(n) for n in nodes]

    def answer(self, question: str) -> tuple[str, list[Passage], float]:
        if self._engine is None:
            raise RuntimeError("Quickstart was built without a generator")
        t0 = time.perf_counter()
        resp = self._engine.query(question)
        secs = time.perf_counter() - t0
        return str(resp.response or "").strip(), [_node_passage(n) for n in resp.source_nodes], secs


def retrieval_baselines(store, embedder, settings, names: Sequence[str]) -> dict[str, HybridRetriever]:
    modes = {"bm25": "lexical", "dense": "dense"}
    return {n: HybridRetriever(store, embedder, settings, mode=modes[n]) for n in names if n in modes}
