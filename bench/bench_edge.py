"""Part 2's Qdrant Edge rows (`bench.py --modes edge`): the same synthetic articles, hash vectors,
bulk load and query loop as the qdrant-client rows (bench.py passes itself in as `b`), then what
matters for `rag serve` on an existing index: a fresh process opens it and answers one question.

One run gives two rows on the same data: "edge" (the shard as written: plain segments, every
search a full scan) and "edge+hnsw" (after `EdgeStore.optimize()`, HNSW built), each queried in
its own fresh process so that its open time and peak RSS are its own."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERY_TIMEOUT_S = 900


def _settings(b, tmp: Path):
    from rag.config import Settings
    return Settings(index_dir=tmp, collection="bench", embed_backend="hash", embed_dim=b.DIM, store_backend="edge")


def _disk_mb(path: Path) -> float:
    """Blocks actually allocated: Edge preallocates sparse mmap files (an empty shard "is" ~240 MB)."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) / 2**20


def _segments(store) -> dict:
    info = store.shard.info()
    return {"segments": info.segments_count, "points": info.points_count,
            "indexed_vectors": info.indexed_vectors_count}


def edge_query(b, n: int, path: Path, progress_file: Path) -> dict:
    """In a fresh process: open the index, answer the first eval question through HybridRetriever
    (open -> first result, what `rag serve` or `rag ask` waits for), then the usual latencies."""
    res: dict = {}

    def save():
        progress_file.write_text(json.dumps(res))

    rss0 = b._rss_mb()
    t0 = time.perf_counter()
    from rag.embed import HashEmbedder
    from rag.retrieve import HybridRetriever
    from rag.store.edge import EdgeStore
    with b._Sampler() as m_open:
        t1 = time.perf_counter()
        store = EdgeStore(b.DIM, path)
        t2 = time.perf_counter()
        emb = HashEmbedder(b.DIM)
        s = _settings(b, path.parent)
        r = HybridRetriever(store, emb, s)
        first = r.retrieve(b._questions(1)[0], 5)  # query embedding included: negligible with hash vectors
        t3 = time.perf_counter()
    res.update(import_s=t1 - t0, reopen_s=t2 - t1, first_retrieve_s=t3 - t2, first_result_s=t3 - t1,
               first_hits=len(first), rss_before_open_mb=rss0, rss_after_first_mb=b._rss_mb(),
               rss_peak_open_mb=m_open.peak, bm25_build_s=0.0, **_segments(store))
    save()
    b.query_latencies(store, r, emb, s, n, s.sentence_vectors, res, save)
    # not ru_maxrss: a child keeps its parent's peak across fork+exec (the loader's GBs)
    res["rss_peak_mb"] = max(res["rss_peak_open_mb"], res["rss_peak_query_mb"])
    res["top_ids"] = _top_ids(b, store, r, emb, n)  # compared between the plain and the HNSW shard
    import psutil
    mi = psutil.Process().memory_info()
    # Edge reads its segments through mmap: file pages it touched count in RSS but are page cache,
    # given back under memory pressure; rss - shared is roughly the process's own (anonymous) memory
    res.update(rss_end_mb=mi.rss / 2**20, rss_shared_end_mb=mi.shared / 2**20, disk_mb=_disk_mb(path))
    store.close()
    save()
    return res


def _top_ids(b, store, r, emb, n: int) -> dict:
    out = {}
    for q in b._questions(b.N_SCALE_QUERIES if n <= 1000 else b.N_SCALE_QUERIES_10K):
        v = emb.embed_queries([q])[0]
        out[q] = {"dense": [p.chunk_id for p in store.search(v, 10)],
                  "sent": [p.chunk_id for p in store.search(v, 10, using="sent")],
                  "bm25": [p.chunk_id for p in store.keyword_search(q, 10)],
                  "retrieve": [p.chunk_id for p in r.retrieve(q, 5, query_vector=v)]}
    return out


def _query_in_fresh_process(b, n: int, path: Path) -> dict:
    pf = Path(tempfile.mkstemp(prefix="bench-edge-q-", suffix=".json")[1])
    cmd = [sys.executable, b.__file__, "--worker", "--part", "edge-query", "--scale", str(n),
           "--index", str(path), "--progress", str(pf)]
    try:
        proc = subprocess.run(cmd, timeout=QUERY_TIMEOUT_S, capture_output=True, text=True)
        err = proc.stderr[-800:] if proc.returncode else None
    except subprocess.TimeoutExpired:
        err = f"query process stopped after {QUERY_TIMEOUT_S}s"
    res = json.loads(pf.read_text() or "{}")
    pf.unlink(missing_ok=True)
    if err:
        res["error"] = err
    return res


def bench_edge(b, n: int, progress_file: Path | None = None) -> dict:
    from rag.embed import HashEmbedder
    from rag.store.edge import EdgeStore

    res: dict = {"part": "scale", "mode": "edge", "articles": n, "complete": False}

    def save():
        if progress_file:
            progress_file.write_text(json.dumps(res))

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-edge-{n}-"))
    path = tmp / "edge"
    s = _settings(b, tmp)
    store = EdgeStore(b.DIM, path)
    b.load_synthetic(store, n, s, HashEmbedder(b.DIM), res, save, spans=True)
    t0 = time.perf_counter()
    store.close()
    res["close_s"] = time.perf_counter() - t0
    res["plain"] = _query_in_fresh_process(b, n, path)
    save()
    store = EdgeStore(b.DIM, path)
    with b._Sampler() as m:
        t0, cpu0 = time.perf_counter(), time.process_time()
        res["optimize_changed"] = store.optimize()
        # CPU seconds too: on a shared machine the wall time mostly says how busy the others were
        res.update(optimize_s=time.perf_counter() - t0, optimize_cpu_s=time.process_time() - cpu0)
    # optimize() holds the GIL, so the sampler thread sees little of it; this process's own peak
    # (ru_maxrss: the load before it peaked lower) covers it
    res.update(rss_peak_optimize_mb=max(m.peak, b._peak_rss_mb()), disk_mb_plain=res["plain"].get("disk_mb"))
    store.close()
    save()
    res["hnsw"] = _query_in_fresh_process(b, n, path)
    res["complete"] = True
    save()
    return res


_SHARED = ("gen_s", "chunks", "chunks_written", "sentence_vectors_written", "upsert_s", "upsert_chunks_per_s",
           "rss_peak_ingest_mb", "sentence_vectors")


def rows(res: dict) -> list[dict]:
    """One run -> the "edge" row (plain segments) and, once optimize() ran, the "edge+hnsw" row."""
    out = []
    for mode, key in (("edge", "plain"), ("edge+hnsw", "hnsw")):
        if mode == "edge+hnsw" and "plain" not in res:
            break
        q = res.get(key) or {}
        row = {"part": "scale", "mode": mode, "articles": res["articles"], **{k: res[k] for k in _SHARED if k in res},
               **q, "complete": bool(q.get("complete"))}
        if mode == "edge+hnsw":
            row.update({k: res.get(k) for k in ("optimize_s", "optimize_cpu_s", "rss_peak_optimize_mb")})
            if "optimize_s" not in res:
                row["error"] = res.get("error") or "optimize() did not finish"
        if not q and res.get("error"):
            row["error"] = res["error"]
        # the whole query process: opening the index may peak above the query loop
        row["rss_peak_query_mb"] = max(q.get("rss_peak_query_mb") or 0, q.get("rss_peak_open_mb") or 0,
                                       q.get("rss_after_first_mb") or 0) or None
        row["wall_s"] = res.get("wall_s")
        out.append(row)
    return out


def overlap(plain: dict, hnsw: dict) -> dict | None:
    """How much of the exact (plain) top lists the HNSW search still finds, averaged over the
    questions: 1.0 = the same passages (HNSW is approximate; MaxSim over multivectors the most)."""
    a, b = plain.get("top_ids") or {}, hnsw.get("top_ids") or {}
    qs = [q for q in a if q in b]
    if not qs:
        return None
    return {k: sum(len(set(a[q][k]) & set(b[q][k])) / max(1, len(a[q][k])) for q in qs) / len(qs)
            for k in ("dense", "sent", "bm25", "retrieve")}
