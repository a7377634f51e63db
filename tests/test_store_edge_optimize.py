"""EdgeStore.optimize() (HNSW) changes how Edge searches, not what it finds, and ingest asks for it
by the policy in rag.store.index.maybe_optimize. Hash vectors, the 5 corpus articles."""
from __future__ import annotations

import pytest

from rag.embed import HashEmbedder
from rag.generate import ScriptedGenerator
from rag.pipeline import Pipeline
from rag.store import EdgeStore

from conftest import make_settings
from test_store import fill

QUESTIONS = ["Lin Jian", "Wie viele Soldaten sind in Kursk?", "11.000 troops", "Putin Kim Vertrag",
             "Truppen Soldaten", "Was sagte das Außenministerium?"]


def _results(store, emb):
    out = []
    for q in QUESTIONS:
        v = emb.embed_queries([q])[0]
        # not hybrid_search: hash vectors tie a lot, and tied passages may come in another order,
        # which gives them other ranks to fuse; the rankings fused are what must not change
        for hits in (store.search(v, 10), store.search(v, 10, using="sent"), store.keyword_search(q, 10)):
            scores = [round(p.score, 5) for p in hits]
            # equal scores may come in either order, and the last of them may be cut off either way
            out.append((scores, sorted((s, p.chunk_id) for s, p in zip(scores, hits) if s > scores[-1])))
    return out


def _tiny_thresholds(store):
    """The 5 articles are far below Edge's default thresholds (10 MB to index a segment, 10 MB to
    search its graph at all): lower both to 1 KB, so optimize() builds HNSW and searches use it."""
    qe, path = store.qe, store.path
    store.close()
    qe.EdgeShard.load(str(path), store.config(
        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=1),
        hnsw_config=qe.HnswIndexConfig(m=16, ef_construct=100, full_scan_threshold=1))).close()
    return EdgeStore(store.dim, path)


def test_optimize_builds_hnsw_and_finds_the_same_passages(tmp_path):
    emb = HashEmbedder(64)
    store = EdgeStore(64, tmp_path / "edge")
    fill(store, emb)
    store = _tiny_thresholds(store)
    try:
        before, n = _results(store, emb), store.count()
        assert store.optimize() is True  # the plain segment became an indexed one
        assert _results(store, emb) == before and store.count() == n
        store.close()
        store = EdgeStore(64, tmp_path / "edge")  # and so after reopening the optimized shard
        assert _results(store, emb) == before
        assert store.optimize() is False  # nothing left to do: a repeated call is cheap
    finally:
        store.close()


@pytest.mark.parametrize("min_points, flag, runs", [(1, None, True), (10**6, None, False), (0, None, False),
                                                    (10**6, True, True), (1, False, False)])
def test_ingest_optimizes_by_the_policy(tmp_path, min_points, flag, runs):
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_backend="scripted", store_backend="edge",
                      edge_optimize_min_points=min_points)
    p = Pipeline(s, generator=ScriptedGenerator(["-"]))
    try:
        rep = p.ingest(s.corpus_dir, optimize=flag)
        assert (rep.optimize_seconds is not None) == runs
        assert ("search index built" in rep.summary()) == runs
        # nothing written: nothing to optimize (unless asked)
        assert p.ingest(s.corpus_dir).optimize_seconds is None
    finally:
        p.store.close()
