"""Batched ingest against the per-article path with the real embedder (issue #12).

    python scripts/ingest_probe.py            # the corpus/ articles
    python scripts/ingest_probe.py --limit 3

Embeds the same articles both ways -- per article (passages in one call, then every sentence, as
ingest did before batching) and batched (rag.ingest: several articles per call, identical texts
once) -- and prints the largest difference between the stored vectors and the wall time of each.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from rag.chunk import chunk_document
    from rag.config import Settings
    from rag.factory import build_embedder
    from rag.ingest import _sentence_vectors, ingest
    from rag.load import discover, load_file
    from rag.store import QdrantStore

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--limit", type=int, help="only the first N articles")
    args = ap.parse_args(argv)
    s = Settings()
    files = list(discover(args.corpus))[: args.limit] if args.limit else list(discover(args.corpus))
    docs = [load_file(f, args.corpus) for f in files]

    class Recording(QdrantStore):
        def upsert(self, chunks, vectors, sentence_vectors=None, sentence_spans=None):
            got[chunks[0].doc_id] = (np.array(vectors), [np.array(v) for v in sentence_vectors or []])
            super().upsert(chunks, vectors, sentence_vectors, sentence_spans)

    t0 = time.perf_counter()
    emb = build_embedder(s)
    emb.embed_documents(["Aufwärmen."])
    print(f"model loaded in {time.perf_counter() - t0:.1f}s on {getattr(emb, 'device', '?')}; "
          f"{len(docs)} articles, {sum(len(d.text) for d in docs):,} chars")

    t0 = time.perf_counter()
    ref = {}
    for d in docs:
        chunks = chunk_document(d, s.chunk_max_chars, s.chunk_overlap_sentences)
        vecs = emb.embed_documents([c.text for c in chunks])
        sv, _ = _sentence_vectors(d, chunks, emb)
        ref[d.doc_id] = (vecs, sv)
    per_article_s = time.perf_counter() - t0

    got: dict = {}
    store = Recording(emb.dim, "probe", memory=True)
    t0 = time.perf_counter()
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for f in files:
            (folder / f.name).write_bytes(f.read_bytes())
        rep = ingest(folder, store, emb, s)
    batched_s = time.perf_counter() - t0  # includes the (small) in-memory upserts
    store.close()

    diff = 0.0
    n_vec = 0
    for doc_id, (vecs, sv) in ref.items():
        gv, gsv = got[doc_id]
        assert gv.shape == vecs.shape and len(gsv) == len(sv)
        diff = max(diff, float(np.abs(gv - vecs).max()))
        n_vec += len(vecs)
        for a, b in zip(gsv, sv):
            assert a.shape == b.shape
            if len(a):
                diff = max(diff, float(np.abs(a - b).max()))
            n_vec += len(a)
    print(f"vectors compared: {n_vec} (passage + per-chunk sentence vectors), {rep.chunks_written} chunks")
    print(f"max abs difference batched vs per-article: {diff:.2e} ({'equal' if diff < 1e-5 else 'DIFFERENT'} "
          f"at 1e-5)")
    print(f"per-article path (embed only): {per_article_s:.1f}s; batched rag.ingest (embed + in-memory "
          f"upsert): {batched_s:.1f}s; ratio {per_article_s / batched_s:.2f}x")
    return 0 if diff < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
