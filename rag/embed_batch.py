"""Ingest's embedding step: the vectors of a batch of whole articles, their passages and (with
sentence vectors) each passage's sentences, in as few embedder calls as possible.

Two ways to get the sentence vectors (`sentence_vectors_from`): "separate" embeds every sentence
on its own next to the passages (two encode passes over the text); "passage" takes them out of
the passage's own forward pass (late chunking, one pass), when the embedder can
(`embed_documents_with_spans`); one that cannot (the hash embedder of the unit tests) falls back
to "separate".
"""
from __future__ import annotations

from .chunk import clause_spans, split_sentences
from .types import Document


def sentence_groups(spans, chunks) -> list[list[int]]:
    """Per chunk: the indices of the sentences (spans) it holds (chunks overlap, so a sentence
    can belong to two)."""
    return [[i for i, (a, b) in enumerate(spans) if a >= c.start and b <= c.end] for c in chunks]


def sentence_vectors(doc: Document, chunks, embedder, spans) -> tuple[list, list]:
    """Each sentence is embedded once, then given to every chunk that holds it (chunks overlap).
    Returns per chunk: the vectors of its sentences and their article offsets."""
    vecs = embedder.embed_documents([doc.text[a:b] for a, b in spans])
    idx = sentence_groups(spans, chunks)
    return [vecs[ix] for ix in idx], [[spans[i] for i in ix] for ix in idx]


def embed_batch(batch: list, embedder, sentences_from: str = "separate"):
    """Yields per article (document, existed, chunks, vectors, sentence vectors per chunk,
    sentence spans per chunk), what `store.upsert` takes. `batch` holds (document, existed,
    chunks, sentence spans or None)."""
    late = sentences_from == "passage" and hasattr(embedder, "embed_documents_with_spans")
    if late and all(spans is not None for *_, spans in batch):
        yield from _late(batch, embedder)
    else:
        yield from _separate(batch, embedder)


def _separate(batch: list, embedder):
    """One embedder call for the passages and sentences of several articles (sentence-transformers
    sorts one call's texts by length, so batches pad little); a text that occurs twice (a passage
    that is a single sentence, a sentence repeated by the overlap or by another article) is
    embedded once. The same vectors the per-article path computes: every text is still embedded
    on its own, only in company."""
    pos: dict[str, int] = {}
    for d, _, chunks, spans in batch:
        for t in [c.text for c in chunks] + ([d.text[a:b] for a, b in spans] if spans is not None else []):
            pos.setdefault(t, len(pos))
    vecs = embedder.embed_documents(list(pos))
    for d, existed, chunks, spans in batch:
        vectors = vecs[[pos[c.text] for c in chunks]]
        if spans is None:
            yield d, existed, chunks, vectors, None, None
            continue
        svecs = vecs[[pos[d.text[a:b]] for a, b in spans]] if spans else vecs[:0]
        groups = sentence_groups(spans, chunks)
        yield d, existed, chunks, vectors, [svecs[g] for g in groups], [[spans[i] for i in g] for g in groups]


def _late(batch: list, embedder):
    """One embedder call for the passages of several articles; each passage's sentence vectors come
    out of its own forward pass, so a sentence in two overlapping passages gets one vector from
    each (the store keeps sentence vectors per passage anyway). A passage that occurs twice (with
    the same sentences) is embedded once."""
    pos: dict[tuple, int] = {}
    plans = []
    for d, existed, chunks, spans in batch:
        groups = sentence_groups(spans, chunks)
        keys = [(c.text, tuple((spans[i][0] - c.start, spans[i][1] - c.start) for i in g))
                for c, g in zip(chunks, groups)]
        for k in keys:
            pos.setdefault(k, len(pos))
        plans.append((d, existed, chunks, spans, groups, keys))
    vecs, svecs = embedder.embed_documents_with_spans([t for t, _ in pos], [list(r) for _, r in pos])
    for d, existed, chunks, spans, groups, keys in plans:
        yield (d, existed, chunks, vecs[[pos[k] for k in keys]], [svecs[pos[k]] for k in keys],
               [[spans[i] for i in g] for g in groups])


def batches(chunked: list, settings, embedder=None):
    """Groups of whole articles holding about `ingest_batch_texts` texts to embed (passages and,
    with sentence vectors embedded on their own, sentences; late-chunked sentences cost no extra
    text); an article larger than that is a batch of its own."""
    limit = max(1, settings.ingest_batch_texts)
    separate = (settings.sentence_vectors_from == "separate"
                or not hasattr(embedder, "embed_documents_with_spans"))  # no late chunking: the old way
    batch, size = [], 0
    for d, existed, chunks in chunked:
        spans = split_sentences(d.text) if settings.sentence_vectors else None
        if spans and settings.clause_vectors:
            spans += clause_spans(d.text, spans, settings.clause_min_chars)
        n = len(chunks) + (len(spans or ()) if separate else 0)
        if batch and size + n > limit:
            yield batch
            batch, size = [], 0
        batch.append((d, existed, chunks, spans))
        size += n
    if batch:
        yield batch
