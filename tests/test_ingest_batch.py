"""Batched ingest (issue #12): several articles per embedder call, the same vectors as the
per-article path, written one article at a time so a crash mid-batch loses nothing. Hash embedder."""
from __future__ import annotations

import numpy as np
import pytest
from test_reliability_faults import assert_index_equals_clean, disk_settings, make_corpus

from rag import factory
from rag.chunk import chunk_document
from rag.embed import HashEmbedder, resolve_device
from rag.ingest import _sentence_vectors, ingest
from rag.load import discover, load_file
from rag.store import QdrantStore


class CountingEmbedder(HashEmbedder):
    def __init__(self, dim: int = 64) -> None:
        super().__init__(dim)
        self.calls: list[list[str]] = []

    def embed_documents(self, texts):
        self.calls.append(list(texts))
        return super().embed_documents(texts)


class RecordingStore(QdrantStore):
    """Keeps what each upsert call was given."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.calls: dict[str, tuple] = {}

    def upsert(self, chunks, vectors, sentence_vectors=None, sentence_spans=None):
        self.calls[chunks[0].doc_id] = (list(chunks), np.array(vectors),
                                        None if sentence_vectors is None else [np.array(v) for v in sentence_vectors],
                                        sentence_spans)
        super().upsert(chunks, vectors, sentence_vectors, sentence_spans)


def _per_article(docs, emb, s) -> dict[str, tuple]:
    """What ingest stored before batching: passages in one call, then every sentence, per article."""
    out = {}
    for d in docs:
        chunks = chunk_document(d, s.chunk_max_chars, s.chunk_overlap_sentences)
        sv, sp = _sentence_vectors(d, chunks, emb)
        out[d.doc_id] = (chunks, emb.embed_documents([c.text for c in chunks]), sv, sp)
    return out


@pytest.mark.parametrize("batch_texts", [1, 40, 200, 10_000])
def test_batched_ingest_stores_the_per_article_vectors(tmp_path, batch_texts):
    corpus = make_corpus(tmp_path / "corpus", n=12)
    (corpus / "short.txt").write_text("Kurz\n\nEin Satz.", encoding="utf-8")  # passage == its only sentence
    s = disk_settings(tmp_path, corpus, ingest_batch_texts=batch_texts)
    docs = [load_file(f, corpus) for f in discover(corpus)]
    want = _per_article(docs, HashEmbedder(64), s)
    emb, store = CountingEmbedder(64), RecordingStore(64, "articles", memory=True)
    rep = ingest(corpus, store, emb, s)
    assert sorted(rep.added) == sorted(want) and set(store.calls) == set(want)
    for doc_id, (chunks, vecs, svecs, spans) in want.items():
        got_chunks, got_vecs, got_svecs, got_spans = store.calls[doc_id]
        assert [c.chunk_id for c in got_chunks] == [c.chunk_id for c in chunks]
        assert got_vecs.dtype == np.float32 and np.array_equal(got_vecs, vecs)
        assert got_spans == spans
        assert len(got_svecs) == len(svecs) and all(np.array_equal(a, b) for a, b in zip(got_svecs, svecs))
    for call in emb.calls:  # one text is embedded once per call, however often it occurs
        assert len(call) == len(set(call))
    if batch_texts >= 10_000:
        assert len(emb.calls) == 1  # the whole corpus in one call
    elif batch_texts == 200:
        assert 1 < len(emb.calls) < len(want)
    store.close()


def test_without_sentence_vectors_passages_only(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", n=6)
    s = disk_settings(tmp_path, corpus, sentence_vectors=False)
    emb, store = CountingEmbedder(64), RecordingStore(64, "articles", memory=True)
    ingest(corpus, store, emb, s)
    docs = [load_file(f, corpus) for f in discover(corpus)]
    for d in docs:
        chunks, vecs, svecs, spans = store.calls[d.doc_id]
        assert svecs is None and spans is None
        assert np.array_equal(vecs, HashEmbedder(64).embed_documents([c.text for c in chunks]))
    assert sum(map(len, emb.calls)) == len({c.text for cs in store.calls.values() for c in cs[0]})
    store.close()


class Crashing:
    """Mixed into a store: dies halfway through writing the `at`-th article (as a kill would)."""
    at, n = 0, 0

    def upsert(self, chunks, vectors, sentence_vectors=None, sentence_spans=None):
        self.n += 1
        if self.n == self.at:
            half = max(1, len(chunks) // 2)
            super().upsert(chunks[:half], vectors[:half], sentence_vectors[:half], sentence_spans[:half])
            raise SystemExit("killed")
        super().upsert(chunks, vectors, sentence_vectors, sentence_spans)


@pytest.mark.parametrize("backend", ["qdrant-local", "edge"])
def test_crash_mid_batch_resumes_where_it_stopped(tmp_path, backend):
    corpus = make_corpus(tmp_path / "corpus", n=20)
    s = disk_settings(tmp_path, corpus, store_backend=backend, ingest_batch_texts=10_000)  # one batch
    first = factory.build_store(s, 64)
    first.close()
    from rag.store import EdgeStore
    if backend == "edge":
        store = type("Crash", (Crashing, EdgeStore), {"at": 7})(64, s.edge_index_path)
    else:
        store = type("Crash", (Crashing, QdrantStore), {"at": 7})(64, "articles", path=s.local_index_path)
    emb = CountingEmbedder(64)
    with pytest.raises(SystemExit):
        ingest(corpus, store, emb, s)
    assert len(emb.calls) == 1  # all 20 articles were embedded in one call, 6 and a half written
    states = store.doc_states()
    assert sum(st["complete"] for st in states.values()) == 6
    assert sum(not st["complete"] for st in states.values()) == 1
    store.close()
    store = factory.build_store(s, 64)
    try:
        rep = ingest(corpus, store, HashEmbedder(64), s)
        assert len(rep.unchanged) == 6 and len(rep.updated) == 1 and len(rep.added) == 13
        assert_index_equals_clean(store, corpus, s)
    finally:
        store.close()


def test_progress_counts_articles_with_rate_and_time_left(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", n=8)
    s = disk_settings(tmp_path, corpus, ingest_batch_texts=50)
    seen = []
    store = QdrantStore(64, "articles", memory=True)
    ingest(corpus, store, HashEmbedder(64), s, progress=lambda f, msg: seen.append((f, msg)), show_bar=True)
    store.close()
    fracs = [f for f, _ in seen]
    assert fracs == sorted(fracs) and fracs[0] == 0.0 and fracs[-1] == 1.0
    assert "0/8 articles" in seen[0][1]
    done = [m for _, m in seen if m.startswith("8/8 articles")]
    assert done and "articles/s" in done[0] and "0:00 left" in done[0]
    assert any("3/8 articles" in m and " left" in m for _, m in seen)
    err = capsys.readouterr().err
    assert "8/8" in err and "article/s" in err  # the CLI bar counts articles, not chunks


def test_device_auto_is_cpu_without_a_gpu():
    import torch
    if torch.cuda.is_available():
        assert resolve_device("auto") == "cuda"
    else:
        assert resolve_device("auto") == "cpu"
    assert resolve_device("cpu") == "cpu" and resolve_device("cuda:1") == "cuda:1"


def test_settings_device_reaches_the_embedder(monkeypatch, tmp_path):
    seen = {}

    class Fake:
        def __init__(self, path, name, dim, batch_size, show_progress, device="auto", dtype="auto"):
            seen["device"], seen["dtype"] = device, dtype
    from rag import embed, models
    monkeypatch.setattr(embed, "SentenceTransformerEmbedder", Fake)
    monkeypatch.setattr(models, "require", lambda d, n: tmp_path)
    from rag.config import Settings
    factory.build_embedder(Settings(embed_device="cpu", embed_dtype="float32"))
    assert seen == {"device": "cpu", "dtype": "float32"}
    factory.build_embedder(Settings())
    assert seen == {"device": "auto", "dtype": "auto"}


class SpanEmbedder(CountingEmbedder):
    """Late chunking the hash way: a span's vector is its text's vector, so both paths must store
    the same; records the (passage, spans) calls."""

    def __init__(self, dim: int = 64) -> None:
        super().__init__(dim)
        self.span_calls: list[tuple[list[str], list]] = []

    def embed_documents_with_spans(self, texts, spans_per_text):
        self.span_calls.append((list(texts), [list(s) for s in spans_per_text]))
        return (HashEmbedder.embed_documents(self, texts),
                [HashEmbedder.embed_documents(self, [t[a:b] for a, b in sp]) for t, sp in zip(texts, spans_per_text)])


@pytest.mark.parametrize("how", ["passage", "separate"])
def test_sentence_vectors_from_passage_or_separate(tmp_path, how):
    corpus = make_corpus(tmp_path / "corpus", n=6)
    s = disk_settings(tmp_path, corpus, ingest_batch_texts=10_000, sentence_vectors_from=how)
    docs = [load_file(f, corpus) for f in discover(corpus)]
    want = _per_article(docs, HashEmbedder(64), s)
    emb, store = SpanEmbedder(64), RecordingStore(64, "articles", memory=True)
    ingest(corpus, store, emb, s)
    for doc_id, (chunks, vecs, svecs, spans) in want.items():
        _, got_vecs, got_svecs, got_spans = store.calls[doc_id]
        assert np.array_equal(got_vecs, vecs) and got_spans == spans
        assert all(np.allclose(a, b) for a, b in zip(got_svecs, svecs, strict=True))
    if how == "passage":  # one call, passages only, each with its sentences' offsets into it
        assert emb.calls == [] and len(emb.span_calls) == 1
        texts, spans = emb.span_calls[0]
        n_chunks = sum(len(w[0]) for w in want.values())
        assert len(texts) == len(set(texts)) == n_chunks
        chunk = next(c for w in want.values() for c in w[0] if c.text == texts[0])
        assert spans[0] and all(chunk.text[a:b] == chunk.text[a:b].strip() and 0 <= a < b <= len(chunk.text)
                                for a, b in spans[0])
        assert spans[0] == [(a - chunk.start, b - chunk.start) for a, b in got_spans_of(store, chunk)]
    else:
        assert emb.span_calls == [] and len(emb.calls) == 1
    store.close()


def got_spans_of(store, chunk):
    chunks, _, _, spans = store.calls[chunk.doc_id]
    return spans[[c.chunk_id for c in chunks].index(chunk.chunk_id)]


def test_index_built_the_other_way_asks_for_a_rebuild(tmp_path):
    from rag.errors import IndexMismatchError
    from rag.store.index import check_meta, index_meta
    corpus = make_corpus(tmp_path / "corpus", n=1)
    sep = disk_settings(tmp_path, corpus, sentence_vectors_from="separate")
    late = disk_settings(tmp_path, corpus, sentence_vectors_from="passage")
    emb, store = HashEmbedder(64), QdrantStore(64, "articles", memory=True)
    assert "sentence_vectors_from" not in index_meta(sep, emb, store)  # as indexes built before it
    store.set_meta(index_meta(sep, emb, store))
    check_meta(store, sep, emb)
    with pytest.raises(IndexMismatchError, match="sentence_vectors_from"):
        check_meta(store, late, emb)
    store.set_meta(index_meta(late, emb, store))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        check_meta(store, sep, emb)
    store.close()


def test_an_index_without_clause_vectors_is_read_but_not_added_to(tmp_path):
    from rag.errors import IndexMismatchError
    from rag.store.index import check_meta, index_meta
    corpus = make_corpus(tmp_path / "corpus", n=1)
    old = disk_settings(tmp_path, corpus, clause_vectors=False)
    new = disk_settings(tmp_path, corpus)
    emb, store = HashEmbedder(64), QdrantStore(64, "articles", memory=True)
    assert "clauses" not in index_meta(old, emb, store)  # as indexes built before them
    store.set_meta(index_meta(old, emb, store))
    check_meta(store, new, emb, reading=True)  # searched alike: a sentence by its whole vector
    with pytest.raises(IndexMismatchError, match="clauses: index has None, settings say 200"):
        check_meta(store, new, emb)  # new articles with clause vectors, old without: not mixed
    store.set_meta(index_meta(new, emb, store))
    check_meta(store, old, emb, reading=True)
    with pytest.raises(IndexMismatchError, match="clauses: index has 200, settings say None"):
        check_meta(store, old, emb)
    store.close()


def test_long_sentences_give_their_clauses_to_the_same_forward_pass(tmp_path):
    from rag.chunk import clause_spans, split_sentences
    from test_store import CORPUS
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    src = sorted(CORPUS.glob("*.txt"))[1]
    (corpus / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    doc = load_file(corpus / src.name, corpus)
    emb, store = SpanEmbedder(64), RecordingStore(64, "articles", memory=True)
    ingest(corpus, store, emb, disk_settings(tmp_path, corpus))
    sent = split_sentences(doc.text)
    clauses = clause_spans(doc.text, sent)
    assert clauses and emb.calls == [] and len(emb.span_calls) == 1  # no second encode pass for them
    chunks, _, svecs, spans = store.calls[doc.doc_id]
    stored = {s for per in spans for s in per}
    assert set(sent) | set(clauses) == stored
    assert all(len(v) == len(s) for v, s in zip(svecs, spans, strict=True))
    store.close()
