"""Incremental ingest logic with the hash embedder and in-memory Qdrant (no models)."""
import pytest

from rag.errors import IndexMismatchError
from rag.store import STORE_LAYOUT


def _counts(rep):
    return len(rep.added), len(rep.updated), len(rep.unchanged), len(rep.removed)


def test_incremental_add_change_delete_and_rerun(hash_pipeline, hash_settings):
    corpus = hash_settings.corpus_dir
    p = hash_pipeline
    first = p.ingest(corpus)
    assert _counts(first) == (5, 0, 0, 0)
    n = p.store.count()
    assert n == first.chunks_written > 0
    assert _counts(p.ingest(corpus)) == (0, 0, 5, 0) and p.store.count() == n  # re-run: nothing written

    (corpus / "new.txt").write_text("Neuer Artikel\n\nEin ganz neuer Text über Kursk.", encoding="utf-8")
    f = corpus / "000_eb564fdf1567477c.txt"
    f.write_text(f.read_text(encoding="utf-8") + "\nEin angehängter Satz.", encoding="utf-8")
    (corpus / "004_b5cd0ec42f605d15.txt").unlink()
    rep = p.ingest(corpus)
    assert rep.added == ["new.txt"] and rep.updated == ["000_eb564fdf1567477c.txt"]
    assert rep.removed == ["004_b5cd0ec42f605d15.txt"] and len(rep.unchanged) == 3
    states = p.store.doc_states()
    assert set(states) == {"000_eb564fdf1567477c.txt", "001_4d560e9d65afaa3b.txt", "002_b07574c5792002aa.txt",
                           "003_556ecdd9b4a0bf10.txt", "new.txt"}
    assert all(s["complete"] for s in states.values())
    ids = [c.chunk_id for c in p.store.all_chunks()]
    assert len(ids) == len(set(ids)) == p.store.count()
    again = p.ingest(corpus)
    assert _counts(again) == (0, 0, 5, 0)


def test_bad_files_are_reported_and_do_not_stop_the_rest(hash_pipeline, hash_settings):
    corpus = hash_settings.corpus_dir
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03 binary")
    rep = hash_pipeline.ingest(corpus)
    assert len(rep.added) == 5
    assert "holds no text" in rep.failed["empty.txt"]
    assert "binary" in rep.failed["binary.txt"]


def test_duplicate_article_under_two_names_is_indexed_once(hash_pipeline, hash_settings):
    corpus = hash_settings.corpus_dir
    (corpus / "copy.txt").write_bytes((corpus / "001_4d560e9d65afaa3b.txt").read_bytes())
    rep = hash_pipeline.ingest(corpus)
    assert rep.duplicates == {"copy.txt": "001_4d560e9d65afaa3b.txt"}
    assert "copy.txt" not in hash_pipeline.store.doc_states()


def test_incomplete_article_is_redone(hash_pipeline, hash_settings):
    p = hash_pipeline
    p.ingest(hash_settings.corpus_dir)
    victim = "001_4d560e9d65afaa3b.txt"
    before = p.store.doc_states()[victim]["count"]
    # simulate a crash that left only part of an article's chunks
    chunks = [c for c in p.store.all_chunks() if c.doc_id == victim]
    from qdrant_client.http import models as qm
    import uuid
    from rag.store import _NS
    p.store.client.delete(p.store.collection, points_selector=qm.PointIdsList(
        points=[str(uuid.uuid5(_NS, chunks[0].chunk_id))]), wait=True)
    assert not p.store.doc_states()[victim]["complete"]
    rep = p.ingest(hash_settings.corpus_dir)
    assert rep.updated == [victim]
    assert p.store.doc_states()[victim]["count"] == before


def test_index_refuses_a_different_embedding_model(hash_pipeline, hash_settings):
    from rag.embed import HashEmbedder
    from rag.pipeline import Pipeline
    hash_pipeline.ingest(hash_settings.corpus_dir)
    other = Pipeline(hash_settings, embedder=HashEmbedder(64), store=hash_pipeline.store)
    other._embedder.name = "some-other-model"
    with pytest.raises(IndexMismatchError, match="rebuild"):
        other.ingest(hash_settings.corpus_dir)
    with pytest.raises(IndexMismatchError):
        other.retrieve("Kursk")
    rep = other.ingest(hash_settings.corpus_dir, rebuild=True)
    assert len(rep.added) == 5


def test_an_index_of_the_older_store_layout_asks_for_a_rebuild(hash_pipeline, hash_settings):
    """Layout 1 kept sentences as a multivector inside the passage points; its meta had no layout."""
    hash_pipeline.ingest(hash_settings.corpus_dir)
    meta = hash_pipeline.store.get_meta()
    hash_pipeline.store.set_meta({k: v for k, v in meta.items() if k != "layout"})
    with pytest.raises(IndexMismatchError, match=rf"layout: index has None, settings say {STORE_LAYOUT}\). Run `rag ingest --rebuild`"):
        hash_pipeline.ingest(hash_settings.corpus_dir)
    rep = hash_pipeline.ingest(hash_settings.corpus_dir, rebuild=True)
    assert len(rep.added) == 5 and hash_pipeline.store.get_meta()["layout"] == STORE_LAYOUT


def test_single_file_ingest_does_not_remove_others(hash_pipeline, hash_settings, tmp_path):
    hash_pipeline.ingest(hash_settings.corpus_dir)
    extra = tmp_path / "elsewhere"
    extra.mkdir()
    (extra / "x.md").write_text("# X\n\nText über Seoul.", encoding="utf-8")
    rep = hash_pipeline.ingest(extra / "x.md")
    assert rep.added == ["x.md"] and rep.removed == []
    assert len(hash_pipeline.store.doc_states()) == 6
