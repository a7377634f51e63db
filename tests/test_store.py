"""QdrantStore on its own: the sentence search is MaxSim, vectors are compared as cosine, and
an article's sentences go with it. Hash vectors: this is about storage logic, not quality."""
from __future__ import annotations

import uuid

import numpy as np
import pytest

from rag.chunk import chunk_document, split_sentences
from rag.embed import HashEmbedder
from rag.load import load_file
from rag.store import QdrantStore, _pid

from conftest import CORPUS


@pytest.fixture
def filled():
    emb = HashEmbedder(64)
    store = QdrantStore(64, f"t_{uuid.uuid4().hex[:10]}", memory=True)
    sents = {}
    for f in sorted(CORPUS.glob("*.txt")):
        doc = load_file(f, CORPUS, 10**7)
        chunks = chunk_document(doc, 700, 1)
        spans = split_sentences(doc.text)
        per_chunk = [[doc.text[a:b] for a, b in spans if a >= c.start and b <= c.end] for c in chunks]
        # scaled vectors: the store must compare them as cosine, whatever their length
        store.upsert(chunks, 3.0 * emb.embed_documents([c.text for c in chunks]),
                     [0.5 * emb.embed_documents(s) for s in per_chunk])
        sents.update({c.chunk_id: emb.embed_documents(s) for c, s in zip(chunks, per_chunk)})
    yield store, emb, sents
    store.close()


def test_sentence_search_ranks_passages_by_their_best_sentence(filled):
    store, emb, sents = filled
    q = emb.embed_queries(["Wie viele nordkoreanische Soldaten sind in Kursk?"])[0]
    want = sorted(((float((v @ q).max()), cid) for cid, v in sents.items() if len(v)), reverse=True)[:10]
    got = store.search(q, 10, using="sent")
    # overlapping passages share sentences, so equal scores may come in either order
    assert [p.dense_score for p in got] == pytest.approx([s for s, _ in want], abs=1e-5)
    assert all(float((sents[p.chunk_id] @ q).max()) == pytest.approx(p.dense_score, abs=1e-5) for p in got)
    assert len({p.chunk_id for p in got}) == 10
    assert all(p.text and p.doc_id for p in got)


def test_chunk_search_scores_are_cosine(filled):
    store, emb, _ = filled
    q = emb.embed_queries(["Lin Jian China"])[0]
    top = store.search(7.0 * q, 3)
    v = emb.embed_documents([top[0].text])[0]
    assert top[0].dense_score == pytest.approx(float(v @ q), abs=1e-5)
    assert -1.0 <= top[-1].dense_score <= top[0].dense_score <= 1.0


def test_deleting_an_article_removes_its_sentences(filled):
    store, emb, _ = filled
    q = emb.embed_queries(["Kursk"])[0]
    doc = store.search(q, 1, using="sent")[0].doc_id
    before = store.client.count(store.sent_collection).count
    store.delete_doc(doc)
    assert store.client.count(store.sent_collection).count < before
    assert all(p.doc_id != doc for p in store.search(q, 200, using="sent"))
    assert doc not in store.doc_states()


def test_orphan_sentences_without_their_passage_are_skipped(filled):
    """A write cut short between the sentences and the passages leaves sentences only."""
    store, emb, _ = filled
    q = emb.embed_queries(["Kursk"])[0]
    top = store.search(q, 5, using="sent")
    store.client.delete(store.collection, points_selector=[_pid(top[0].chunk_id)], wait=True)
    again = store.search(q, 5, using="sent")
    assert top[0].chunk_id not in [p.chunk_id for p in again]
    assert [p.chunk_id for p in again][:4] == [p.chunk_id for p in top[1:5]]


def test_reset_empties_all_collections(filled):
    store, _, _ = filled
    store.set_meta({"x": 1})
    store.reset()
    assert store.count() == 0 and store.client.count(store.sent_collection).count == 0
    assert store.get_meta() is None


def test_on_disk_index_keeps_passages_and_sentences_after_reopening(tmp_path):
    emb = HashEmbedder(64)
    f = sorted(CORPUS.glob("*.txt"))[0]
    doc = load_file(f, CORPUS, 10**7)
    chunks = chunk_document(doc, 700, 1)
    spans = split_sentences(doc.text)
    sents = [emb.embed_documents([doc.text[a:b] for a, b in spans if a >= c.start and b <= c.end])
             for c in chunks]
    store = QdrantStore(64, "articles", path=tmp_path / "qdrant")
    store.upsert(chunks, emb.embed_documents([c.text for c in chunks]), sents)
    a, b = spans[len(spans) // 2]
    q = emb.embed_queries([doc.text[a:b]])[0]  # one of its own sentences: a clear best match
    before = [(p.chunk_id, round(p.dense_score, 5)) for p in store.search(q, 5, using="sent")]
    assert before[0][1] == pytest.approx(1.0, abs=1e-4)
    store.close()
    again = QdrantStore(64, "articles", path=tmp_path / "qdrant")
    try:
        assert again.count() == len(chunks)
        assert again.client.count(again.sent_collection).count == sum(len(s) for s in sents)
        after = [(p.chunk_id, round(p.dense_score, 5)) for p in again.search(q, 5, using="sent")]
        # overlapping passages share the sentence: equal scores may come back in another order
        assert sorted(after) == sorted(before) and [s for _, s in after] == [s for _, s in before]
    finally:
        again.close()
