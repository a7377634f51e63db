"""Stage 7: write the answer from the chosen evidence and check it.

Abstain when the evidence does not hold what the question asks about (no LLM call), else stream the
model's answer from the numbered evidence sentences, then check every claim against the sentence it
cites (rag.cite) and fall back to quoting the evidence when nothing the model wrote holds up."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from . import cite, lang, markers, prompt, quotes
from .types import Answer, Citation, Evidence, Passage


class AnswerStream:
    """Iterate for text as it is generated; `.answer` holds the verified Answer afterwards."""

    def __init__(self, gen: Iterator[str]) -> None:
        self._gen = gen
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self._gen

    def result(self) -> Answer:
        for _ in self:
            pass
        return self.answer


def write(ans: Answer, stream: AnswerStream, evidence: Sequence[Evidence], passages: Sequence[Passage],
          sents: Sequence[tuple[dict, np.ndarray]], standalone: str, generator: Callable[[], object], embedder, settings,
          t0: float) -> Iterator[str]:
    """Yields the answer's text as it comes; sets `stream.answer` (text verified, citations) at the end.
    sents: the stored (payload, vector) of every evidence sentence; t0: when the question arrived."""
    language = ans.language
    best = max((e.score for e in evidence), default=0.0)
    # the pipeline decides to abstain, on the evidence: nothing close enough to the question,
    # or a name, country or office the question asks about that no retrieved sentence contains
    if not evidence or best < settings.abstain_min_evidence or ans.missing:
        ans.text, ans.abstained = lang.abstain_text(language, ans.missing), True
        ans.timings["total_s"] = ans.timings["first_word_s"] = time.perf_counter() - t0
        stream.answer = ans
        yield ans.text
        return
    # a follow-up rewritten into another language ("Und was schätzt die Ukraine?" -> "What does
    # Ukraine estimate ...?") is answered in that language whatever the prompt asks: the user's own
    # words come first
    shown = standalone if lang.detect(standalone, language) == language else f"{ans.question} ({standalone})"
    messages = [
        {"role": "system", "content": prompt.render(settings.prompts_dir, "system")},
        {"role": "user", "content": prompt.render(settings.prompts_dir, "answer",
                                                  evidence=prompt.format_evidence(evidence),
                                                  question=shown,
                                                  language=lang.language_name(language))},
    ]
    gen = generator()  # built only now: an abstention needs no model
    ans.backend = gen.name
    t3 = time.perf_counter()
    raw, first, pieces = [], None, 0
    for piece in gen.stream(messages, settings.max_tokens):
        if first is None:
            now = time.perf_counter()
            first = now - t3
            # what the user waits for the first word: from the question, rewrite and search included
            ans.timings["first_word_s"] = now - t0
        pieces += 1
        raw.append(piece)
        yield piece
    ans.timings.update(ttft_s=first or 0.0, generate_s=time.perf_counter() - t3, pieces=pieces)
    ans.timings.update(getattr(gen, "last_stats", None) or {})
    raw_text = "".join(raw).strip()
    t4 = time.perf_counter()
    vec_of = {(pl["doc_id"], pl["start"]): v for pl, v in sents}
    vectors = np.stack([vec_of[(e.doc_id, e.start)] for e in evidence])
    text, cited, check = cite.verify(raw_text, evidence, embedding_similarity(embedder, vectors),
                                     standalone, language, settings.support_threshold)
    if not cited and not (markers.looks_like_abstention(raw_text) and len(raw_text) < 200):
        # nothing the model wrote holds up: show the evidence itself rather than nothing
        text, top = quotes.quote_fallback(evidence, language)
        cited, check["fallback"] = [(e, text, 1.0, True) for e in top], 1
    ans.timings["cite_s"] = time.perf_counter() - t4
    ans.check = check
    if not cited:
        ans.text, ans.abstained, ans.citations = lang.abstain_text(language), True, []
    else:
        by_chunk = {p.chunk_id: p for p in passages}
        ans.text = text
        ans.citations = [Citation(number=e.number, passage=by_chunk.get(e.chunk_id) or _as_passage(e),
                                  sentence=sent, support=sup, attached=att, evidence=e)
                         for e, sent, sup, att in cited]
    ans.timings["total_s"] = time.perf_counter() - t0
    stream.answer = ans


def _as_passage(e) -> Passage:
    return Passage(chunk_id=e.chunk_id, doc_id=e.doc_id, title=e.title, text=e.text, start=e.start,
                   end=e.end, score=e.score, source=e.source, date=e.date, site=e.site)


def embedding_similarity(embedder, vectors: np.ndarray) -> cite.SimFn:
    """Cosine of each answer sentence (query prompt) to each evidence sentence, whose vectors are the
    ones stored at ingest (rows in evidence order): the answer's sentences are the only text embedded."""
    def fn(sentences: Sequence[str], evidence: Sequence[Evidence]) -> np.ndarray:
        if not sentences or not evidence:
            return np.zeros((len(sentences), len(evidence)), dtype=np.float32)
        return embedder.embed_queries(list(sentences)) @ np.asarray(vectors).T
    return fn
