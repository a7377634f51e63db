"""What only EdgeStore has: date filters, the one-query hybrid fusion, the settings that select it,
the lock between processes and its disk-space guard. Hash vectors throughout."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from rag import factory
from rag.config import ROOT
from rag.errors import IndexLockedError, RagError
from rag.generate import ScriptedGenerator
from rag.pipeline import Pipeline
from rag.retrieve import HybridRetriever
from rag.store import EdgeStore, QdrantStore
from rag.store import edge as edge_mod
from rag.store import edge_setup

from conftest import make_settings
from test_store import DATE_CASES, dated_store


def test_hybrid_search_honours_the_date_filter(tmp_path):
    """The swap suite (test_store.py) checks search and keyword_search on both stores; hybrid_search is Edge's."""
    store, emb = dated_store("edge", tmp_path)
    try:
        q = emb.embed_queries(["Truppen in Kursk"])[0]
        for since, until, want in DATE_CASES:
            assert {p.chunk_id for p in store.hybrid_search(q, "Truppen", 10, since=since, until=until)} == want
    finally:
        store.close()


def test_date_is_an_indexed_datetime_field(tmp_path):
    store, _ = dated_store("edge", tmp_path)
    try:
        schema = store.shard.info().payload_schema
        assert schema["date"].data_type == store.qe.PayloadSchemaType.Datetime
        assert schema["doc_id"].data_type == store.qe.PayloadSchemaType.Keyword
        assert schema["date"].points == 4  # the undated passage is not in the index
    finally:
        store.close()


@pytest.fixture
def edge_pipeline(tmp_path):
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_backend="scripted", store_backend="edge")
    p = Pipeline(s, generator=ScriptedGenerator(["The articles do not say."]))
    p.ingest(s.corpus_dir)
    yield p
    p.store.close()


def test_hybrid_search_fuses_like_the_retriever_when_weights_are_one(edge_pipeline):
    """Edge's RRF gives rank r (from 0) 1/(k + r); the retriever 1/(rrf_k + r + 1): k = rrf_k + 1."""
    p = edge_pipeline
    s = p.s.model_copy(update={"lexical_floor": -1e9, "lexical_peak_floor": -1e9})  # BM25 always at full weight
    own = HybridRetriever(p.store, p.embedder, s)
    for q in ["Lin Jian", "Wie viele Soldaten sind in Kursk?", "11.000 troops", "Putin Kim Vertrag"]:
        v = p.embedder.embed_queries([q])[0]
        a, b = own.retrieve(q, 10, query_vector=v), p.store.hybrid_search(v, q, 10, candidates=s.candidates)
        assert [x.score for x in b] == pytest.approx([x.score for x in a], abs=1e-6)
        # equal scores (a passage 3rd in one list vs another 3rd in another) may come in either order
        assert {x.chunk_id for x in a[:5]} == {x.chunk_id for x in b[:5]} or a[4].score == pytest.approx(a[5].score)


def test_hybrid_search_leaves_out_a_list_of_weight_zero(edge_pipeline):
    p = edge_pipeline
    v = p.embedder.embed_queries(["Lin Jian"])[0]
    dense_only = p.store.hybrid_search(v, "Lin Jian", 10, weights=(1.0, 0.0, 0.0))
    assert [x.chunk_id for x in dense_only] == [x.chunk_id for x in p.store.search(v, 10)]
    # equal fused scores (3rd in one list, 3rd in another) may come in either order
    def ranked(hits):
        return sorted((-round(x.score, 9), x.chunk_id) for x in hits)
    no_words = p.store.hybrid_search(v, "der die das", 10)
    assert ranked(no_words) == ranked(p.store.hybrid_search(v, "Lin Jian", 10, weights=(1, 1, 0)))
    assert len(no_words) == 10


def test_settings_select_the_store(tmp_path, monkeypatch):
    s = make_settings(tmp_path, store_backend="edge")
    store = factory.build_store(s, 64)
    try:
        assert isinstance(store, EdgeStore) and store.path == tmp_path / "index" / "edge" / s.collection
    finally:
        store.close()
    assert isinstance(factory.build_store(s, 64, memory=True), QdrantStore)  # tests stay in memory
    # qdrant-local means local mode even where QDRANT_URL points at a server
    local = factory.build_store(make_settings(tmp_path, store_backend="qdrant-local",
                                              qdrant_url="http://127.0.0.1:9"), 64)
    assert local.location == str(tmp_path / "index" / "qdrant")
    local.close()
    default = make_settings(tmp_path)
    assert default.store_backend == "auto"
    store = factory.build_store(default, 64)  # the embedded default is Edge ...
    try:
        assert isinstance(store, EdgeStore) and store.path == default.edge_index_path
    finally:
        store.close()
    # ... and QDRANT_URL means a server (qdrant-client; nothing listens on port 9: it fails fast)
    server = make_settings(tmp_path, qdrant_url="http://127.0.0.1:9")
    with pytest.raises(RagError, match=r"^Cannot reach the Qdrant server at http://127.0.0.1:9"):
        factory.build_store(server, 64)


def test_pipeline_on_edge_is_incremental_and_redoes_a_cut_short_article(edge_pipeline):
    p = edge_pipeline
    assert "Lin Jian" in p.retrieve("What did Lin Jian say?", top_k=3)[0].text
    assert len(p.ingest(p.s.corpus_dir).unchanged) == 5
    victim = "001_4d560e9d65afaa3b.txt"
    chunk = next(c for c in p.store.all_chunks() if c.doc_id == victim)
    p.store.shard.update(p.store.qe.UpdateOperation.delete_points([edge_mod._pid(chunk.chunk_id)]))
    rep = p.ingest(p.s.corpus_dir)
    assert rep.updated == [victim] and p.store.doc_states()[victim]["complete"]


def test_pipeline_on_edge_quotes_the_stored_sentences(edge_pipeline):
    """Ingest stores each passage's sentence offsets on Edge: the answer's evidence and citations come
    from them, pointing at the exact sentence of the article."""
    p = edge_pipeline
    p.generator.replies = ["Lin Jian sagte, die DVRK und Russland seien unabhängige souveräne Staaten."]
    a = p.ask("Was sagte Lin Jian?")
    assert not a.abstained and a.citations and any("Lin Jian" in e.text for e in a.evidence)
    c = a.citations[0]
    src = (p.s.corpus_dir / c.doc_id).read_text(encoding="utf-8")
    assert src[c.start:c.end] == c.quote


def test_a_disk_error_is_a_rag_error_and_other_errors_stay_as_they_are(tmp_path):
    store = EdgeStore(64, tmp_path / "edge")
    real = store.shard

    class Failing:
        def __init__(self, msg):
            self.msg = msg

        def update(self, op):
            raise Exception(self.msg)

        def __getattr__(self, name):
            return getattr(real, name)

    store.shard = Failing("Service runtime error: No space left on device (os error 28)")
    with pytest.raises(RagError, match=rf"^disk full at {tmp_path / 'edge'}: the index was not updated"):
        store.set_meta({"x": 1})
    store.shard = Failing("Wrong input: vector dimension error")
    with pytest.raises(Exception, match="dimension") as e:
        store.delete_doc("x")
    assert not isinstance(e.value, RagError)
    store.shard = real
    store.close()


def test_too_little_free_space_is_refused_before_edge_can_crash(tmp_path, monkeypatch):
    store = EdgeStore(64, tmp_path / "edge")
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    monkeypatch.setattr(edge_setup, "MIN_FREE_BYTES", free + 2**30)
    with pytest.raises(RagError, match="^disk full at .*Free some space"):
        store.set_meta({"x": 1})
    with pytest.raises(RagError, match="^disk full"):
        EdgeStore(64, tmp_path / "edge2")
    monkeypatch.undo()
    store.set_meta({"x": 1})  # the refused write left the index as it was, and usable
    assert store.get_meta() == {"x": 1}
    store.close()


HOLDER = textwrap.dedent("""
    import sys, time, pathlib
    from rag.store import EdgeStore
    store = EdgeStore(64, pathlib.Path(sys.argv[1]))
    print("ready", flush=True)
    time.sleep(60)  # the test kills it long before
""")


@pytest.mark.timeout(120)
def test_a_second_process_gets_index_locked_until_the_first_is_gone(tmp_path):
    path = tmp_path / "edge"
    store = EdgeStore(64, path)
    store.set_meta({"x": 1})
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        with pytest.raises(IndexLockedError) as e:
            EdgeStore(64, path)
        assert str(e.value) == (f"The index at {path} is in use by another process (a running `rag serve` or "
                                f"ingest?). Stop it, or point both at a Qdrant server with QDRANT_URL.")
    finally:
        proc.kill()  # SIGKILL: no clean close, the lock must still go with the process
        proc.wait(timeout=30)
    again = EdgeStore(64, path)
    try:
        assert again.get_meta() == {"x": 1}
    finally:
        again.close()


@pytest.mark.timeout(120)
def test_a_real_small_disk_gets_a_clear_error_not_a_crash(tmp_path):
    """Without the free-space check Edge dies of SIGBUS here (measured: a 4 MiB tmpfs)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                                           capture_output=True, timeout=10).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        code = "import sys, pathlib\nfrom rag.store import EdgeStore\nEdgeStore(64, pathlib.Path(sys.argv[1]))"
        r = subprocess.run([sys.executable, "-c", code, str(disk / "edge")], cwd=ROOT, capture_output=True,
                           text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert r.returncode == 1 and f"RagError: disk full at {disk / 'edge'}" in r.stderr
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True, timeout=10).returncode:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=10)
