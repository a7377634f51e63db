"""The store swap suite: the same tests on qdrant-client's in-memory mode ("memory") and on Qdrant
Edge ("edge"): the sentence search is MaxSim, vectors are compared as cosine, an article's sentences
go with it, keyword search is BM25, the meta and layout guard the index. Hash vectors: this is
about storage logic, not quality."""
from __future__ import annotations

import uuid

import numpy as np
import pytest

from rag.chunk import chunk_document, split_sentences
from rag.embed import HashEmbedder
from rag.errors import IndexLockedError, IndexMismatchError, InputError
from rag.store.index import check_meta, index_meta, reset_if_mismatched
from rag.load import load_file
from rag.store import EdgeStore, QdrantStore, _pid
from rag.types import Chunk

from conftest import CORPUS, make_settings

KINDS = ["memory", "edge"]


def open_store(kind: str, tmp_path):
    if kind == "memory":
        return QdrantStore(64, f"t_{uuid.uuid4().hex[:10]}", memory=True)
    if kind == "local":
        return QdrantStore(64, "articles", path=tmp_path / "qdrant")
    return EdgeStore(64, tmp_path / "edge")


def sentence_count(store) -> int:
    if isinstance(store, QdrantStore):
        return store.client.count(store.sent_collection).count
    return sum(len(r.vector.get("sent", [])) for r in store.shard.scroll(store.qe.ScrollRequest(
        limit=10_000, with_vector=["sent"]))[0])


def drop_passage(store, chunk_id: str) -> None:
    """What a write cut short leaves behind: an article missing one of its passages."""
    if isinstance(store, QdrantStore):
        store.client.delete(store.collection, points_selector=[_pid(chunk_id)], wait=True)
    else:
        store.shard.update(store.qe.UpdateOperation.delete_points([_pid(chunk_id)]))


def fill(store, emb, files=None):
    sents = {}
    for f in files or sorted(CORPUS.glob("*.txt")):
        doc = load_file(f, CORPUS, 10**7)
        chunks = chunk_document(doc, 700, 1)
        spans = split_sentences(doc.text)
        span_of = [[(a, b) for a, b in spans if a >= c.start and b <= c.end] for c in chunks]
        per_chunk = [[doc.text[a:b] for a, b in sp] for sp in span_of]
        # scaled vectors: the store must compare them as cosine, whatever their length
        store.upsert(chunks, 3.0 * emb.embed_documents([c.text for c in chunks]),
                     [0.5 * emb.embed_documents(s) for s in per_chunk], span_of)
        sents.update({c.chunk_id: emb.embed_documents(s) for c, s in zip(chunks, per_chunk)})
    return sents


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


@pytest.fixture
def filled(kind, tmp_path):
    emb = HashEmbedder(64)
    store = open_store(kind, tmp_path)
    sents = fill(store, emb)
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
    assert store.vectors([top[0].chunk_id])[top[0].chunk_id] @ v == pytest.approx(1.0, abs=1e-5)


def test_both_stores_write_the_same_passages(tmp_path):
    emb = HashEmbedder(64)
    a, b = open_store("memory", tmp_path), open_store("edge", tmp_path)
    try:
        fill(a, emb), fill(b, emb)
        assert sorted(map(vars, a.all_chunks()), key=str) == sorted(map(vars, b.all_chunks()), key=str)
        assert a.doc_states() == b.doc_states() and a.count() == b.count() == 56
        assert sentence_count(a) == sentence_count(b) > a.count()
    finally:
        a.close(), b.close()


def test_sentences_are_the_article_slices_with_their_stored_vectors(filled):
    store, emb, sents = filled
    texts = {f.name: load_file(f, CORPUS, 10**7).text for f in sorted(CORPUS.glob("*.txt"))}
    ids = [p.chunk_id for p in store.search(emb.embed_queries(["Kursk Soldaten"])[0], 6)]
    got = store.sentences(ids)
    assert {pl["chunk_id"] for pl, _ in got} == {c for c in ids if len(sents[c])}
    for cid in ids:  # per passage: every sentence, in article order, with the vector it was given
        rows = sorted((pl["start"], pl, v) for pl, v in got if pl["chunk_id"] == cid)
        assert len(rows) == len(sents[cid])
        for (_, pl, v), want in zip(rows, sents[cid]):
            assert pl["text"] == texts[pl["doc_id"]][pl["start"]:pl["end"]] and pl["text"].strip()
            assert set(pl) == {"chunk_id", "doc_id", "text", "start", "end"}
            assert v == pytest.approx(want, abs=1e-5)
    assert store.sentences([]) == [] and store.sentences(["no-such-passage"]) == []


def test_both_stores_return_the_same_sentences(tmp_path):
    emb = HashEmbedder(64)
    a, b = open_store("memory", tmp_path), open_store("edge", tmp_path)
    try:
        fill(a, emb), fill(b, emb)
        ids = [c.chunk_id for c in a.all_chunks()]
        key = lambda r: (r[0]["chunk_id"], r[0]["start"])  # noqa: E731
        sa, sb = sorted(a.sentences(ids), key=key), sorted(b.sentences(ids), key=key)
        assert [pl for pl, _ in sa] == [pl for pl, _ in sb] and len(sa) == sentence_count(a)
        assert np.allclose(np.stack([v for _, v in sa]), np.stack([v for _, v in sb]), atol=1e-5)
    finally:
        a.close(), b.close()


def test_deleting_an_article_removes_its_sentences(filled):
    store, emb, _ = filled
    q = emb.embed_queries(["Kursk"])[0]
    doc = store.search(q, 1, using="sent")[0].doc_id
    before, n = sentence_count(store), store.count()
    store.delete_doc(doc)
    assert sentence_count(store) < before and store.count() < n
    assert all(p.doc_id != doc for p in store.search(q, 200, using="sent"))
    assert all(p.doc_id != doc for p in store.keyword_search("Kursk Soldaten Truppen", 200))
    assert doc not in store.doc_states()


def test_an_article_missing_a_passage_is_incomplete(filled):
    store, emb, _ = filled
    victim = "001_4d560e9d65afaa3b.txt"
    chunk = next(c for c in store.all_chunks() if c.doc_id == victim)
    assert store.doc_states()[victim]["complete"]
    drop_passage(store, chunk.chunk_id)
    st = store.doc_states()[victim]
    assert not st["complete"] and st["count"] == min(st["n_chunks"]) - 1
    assert sum(not s["complete"] for s in store.doc_states().values()) == 1


def test_orphan_sentences_without_their_passage_are_skipped(tmp_path):
    """QdrantStore only: Edge keeps a passage's sentences inside its point, so it cannot have orphans."""
    store = open_store("memory", tmp_path)
    emb = HashEmbedder(64)
    fill(store, emb)
    q = emb.embed_queries(["Kursk"])[0]
    top = store.search(q, 5, using="sent")
    drop_passage(store, top[0].chunk_id)
    again = store.search(q, 5, using="sent")
    assert top[0].chunk_id not in [p.chunk_id for p in again]
    assert [p.chunk_id for p in again][:4] == [p.chunk_id for p in top[1:5]]
    store.close()


def test_reset_empties_the_index(filled):
    store, emb, _ = filled
    store.set_meta({"x": 1})
    store.reset()
    assert store.count() == 0 and sentence_count(store) == 0 and store.all_chunks() == []
    assert store.get_meta() is None and store.keyword_search("Truppen", 5) == []
    fill(store, emb, sorted(CORPUS.glob("*.txt"))[:1])  # usable again afterwards
    assert store.count() > 0


def test_meta_round_trip_and_another_layout_asks_for_a_rebuild(filled, tmp_path):
    store, emb, _ = filled
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64)
    assert store.get_meta() is None
    meta = index_meta(s, emb, store)
    assert meta["layout"] == store.layout
    store.set_meta(meta)
    assert store.get_meta() == meta and store.count() == 56  # the meta is not a passage
    check_meta(store, s, emb)
    store.set_meta({**meta, "layout": "other"})
    with pytest.raises(IndexMismatchError, match=r"layout: index has 'other'.*Run `rag ingest --rebuild`"):
        check_meta(store, s, emb)


def test_a_kept_index_built_otherwise_is_emptied_for_a_rebuild_not_mixed(filled, tmp_path):
    store, emb, _ = filled
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64)
    store.set_meta(index_meta(s, emb, store))
    assert reset_if_mismatched(store, s, emb) is None and store.count() > 0
    store.set_meta({**index_meta(s, emb, store), "chunk_max_chars": 1})
    assert "chunk_max_chars: index has 1" in reset_if_mismatched(store, s, emb)
    assert store.count() == 0 and store.get_meta() is None


@pytest.mark.parametrize("kind", ["local", "edge"])
def test_on_disk_index_keeps_everything_after_reopening(kind, tmp_path):
    emb = HashEmbedder(64)
    f = sorted(CORPUS.glob("*.txt"))[0]
    doc = load_file(f, CORPUS, 10**7)
    spans = split_sentences(doc.text)
    store = open_store(kind, tmp_path)
    sents = fill(store, emb, [f])
    store.set_meta({"layout": store.layout})
    a, b = spans[len(spans) // 2]
    q = emb.embed_queries([doc.text[a:b]])[0]  # one of its own sentences: a clear best match
    before = [(p.chunk_id, round(p.dense_score, 5)) for p in store.search(q, 5, using="sent")]
    words = [(p.chunk_id, round(p.lexical_score, 4)) for p in store.keyword_search(doc.text[a:b], 5)]
    assert before[0][1] == pytest.approx(1.0, abs=1e-4) and words
    store.close()
    again = open_store(kind, tmp_path)
    try:
        assert again.count() == len(sents) and again.get_meta() == {"layout": again.layout}
        assert sentence_count(again) == sum(len(s) for s in sents.values())
        after = [(p.chunk_id, round(p.dense_score, 5)) for p in again.search(q, 5, using="sent")]
        # overlapping passages share the sentence: equal scores may come back in another order
        assert sorted(after) == sorted(before) and [s for _, s in after] == [s for _, s in before]
        assert [(p.chunk_id, round(p.lexical_score, 4)) for p in again.keyword_search(doc.text[a:b], 5)] == words
    finally:
        again.close()


@pytest.mark.parametrize("kind", ["local", "edge"])
def test_a_second_open_of_the_same_index_is_locked(kind, tmp_path):
    store = open_store(kind, tmp_path)
    try:
        with pytest.raises(IndexLockedError, match=r"is in use by another process .* QDRANT_URL"):
            open_store(kind, tmp_path)
    finally:
        store.close()
    open_store(kind, tmp_path).close()  # free again once closed


# -- date filter ---------------------------------------------------------------------------------

def dated_store(kind, tmp_path):
    """Five one-sentence articles, the last one undated."""
    emb = HashEmbedder(64)
    store = open_store(kind, tmp_path)
    for i, date in enumerate(["2024-10-31", "2024-11-01", "2024-11-05", "2024-11-06", ""]):
        text = f"Meldung {i}: Truppen in Kursk, Bericht vom {date or 'unbekannten Tag'}."
        c = Chunk(f"c{i}", f"d{i}.txt", f"Titel {i}", "", text, 0, len(text), 0, 1, f"sha{i}", date=date)
        store.upsert([c], emb.embed_documents([text]), [emb.embed_documents([text])], [[(0, len(text))]])
    return store, emb


DATE_CASES = [
    ("2024-11-01", "2024-11-05", {"c1", "c2"}),  # both ends inclusive
    ("2024-11-05", None, {"c2", "c3"}),
    (None, "2024-10-31", {"c0"}),
    (None, None, {"c0", "c1", "c2", "c3", "c4"}),  # no filter: the undated one too
]


@pytest.mark.parametrize("since,until,want", DATE_CASES)
def test_date_filter_is_inclusive_and_leaves_out_undated_passages(kind, tmp_path, since, until, want):
    store, emb = dated_store(kind, tmp_path)
    try:
        q = emb.embed_queries(["Truppen in Kursk"])[0]
        for using in ("chunk", "sent"):
            got = store.search(q, 10, using, since=since, until=until)
            assert {p.chunk_id for p in got} == want
            assert all(p.date == f"2024-{p.text.split('vom ')[1][5:10]}" for p in got if p.chunk_id != "c4")
        assert {p.chunk_id for p in store.keyword_search("Truppen Kursk", 10, since, until)} == want
        assert store.search(q, 10)[0].text.startswith("Meldung")
    finally:
        store.close()


@pytest.mark.parametrize("bad", ["5.11.2024", "2024-13-01", "gestern"])
def test_a_malformed_date_is_an_input_error(kind, tmp_path, bad):
    store, emb = dated_store(kind, tmp_path)
    try:
        for using in ("chunk", "sent"):
            with pytest.raises(InputError, match="YYYY-MM-DD"):
                store.search(emb.embed_queries(["x"])[0], 3, using, since=bad)
        with pytest.raises(InputError, match="until="):
            store.keyword_search("Truppen", 3, until=bad)
    finally:
        store.close()


# -- keyword search ------------------------------------------------------------------------------

def test_keyword_search_ranks_a_rare_name_first(filled):
    store, _, _ = filled
    top = store.keyword_search("What did Lin Jian say?", 5)
    assert "Lin Jian" in top[0].text and top[0].lexical_score > 4.0  # a rare name scores high
    assert [p.lexical_score for p in top] == sorted((p.lexical_score for p in top), reverse=True)
    assert all(p.dense_score == 0.0 for p in top)


@pytest.mark.parametrize("query", ["11.000 Soldaten", "11,000 soldiers", "11000"])
def test_keyword_search_folds_thousands_separators(filled, query):
    store, _, _ = filled
    assert "11.000" in store.keyword_search(query, 1)[0].text


def test_keyword_search_without_content_words_finds_nothing(filled):
    store, _, _ = filled
    assert store.keyword_search("der die das und", 5) == []
    assert store.keyword_search("zzyzx", 5) == []


@pytest.mark.parametrize("kind", [pytest.param("memory", marks=pytest.mark.xfail(
    strict=True, reason="the in-process BM25 has no stemming: one reason Edge replaces it")), "edge"])
def test_keyword_search_stems_german(filled):
    store, _, _ = filled
    # "Truppe" (singular) is in one passage; the 30 "Truppen" are found through the stem
    hits = store.keyword_search("Truppe", 50)
    assert sum("Truppen" in p.text and "Truppe " not in p.text for p in hits) >= 5
    assert {p.chunk_id for p in store.keyword_search("Soldat", 50)} == \
           {p.chunk_id for p in store.keyword_search("Soldaten", 50)}


def test_keyword_search_returns_fresh_passages(filled):
    store, _, _ = filled
    a = store.keyword_search("Lin Jian", 1)[0]
    a.score, a.lexical_score = -1.0, -1.0
    assert store.keyword_search("Lin Jian", 1)[0].lexical_score > 0


def test_clauses_come_back_under_their_sentence_and_count_in_the_sentence_search(kind, tmp_path):
    from rag.chunk import clause_spans
    emb, store = HashEmbedder(64), open_store(kind, tmp_path)
    doc = load_file(sorted(CORPUS.glob("*.txt"))[1], CORPUS, 10**7)
    chunks = chunk_document(doc, 700, 1)
    spans = split_sentences(doc.text)
    spans += clause_spans(doc.text, spans)
    span_of = [[(a, b) for a, b in spans if a >= c.start and b <= c.end] for c in chunks]
    vecs = [emb.embed_documents([doc.text[a:b] for a, b in sp]) for sp in span_of]
    store.upsert(chunks, emb.embed_documents([c.text for c in chunks]), vecs, span_of)
    try:
        c = next(c for c, sp in zip(chunks, span_of) if any("dass russische Streitkräfte" in doc.text[a:b]
                                                            for a, b in sp))
        got = store.sentences([c.chunk_id])
        sentences = [s for s in split_sentences(doc.text) if s[0] >= c.start and s[1] <= c.end]
        assert sorted((pl["start"], pl["end"]) for pl, _ in got) == sentences  # no clause on its own
        pl = next(pl for pl, _ in got if "ausgebildet hätten" in pl["text"])
        clause = next(i for i, (a, b) in enumerate(span_of[chunks.index(c)])
                      if doc.text[a:b].startswith("dass russische Streitkräfte"))
        assert any(np.allclose(v, vecs[chunks.index(c)][clause], atol=1e-5) for v in pl["clauses"])
        assert all("clauses" not in p for p, _ in got if len(p["text"]) <= 200)
        # the passage is found by its clause as well as it would be by a sentence
        q = vecs[chunks.index(c)][clause]
        assert store.search(q, 1, using="sent")[0].dense_score == pytest.approx(1.0, abs=1e-5)
    finally:
        store.close()
