"""Benchmarks: ingest throughput, query latency and peak memory at 5, 1,000 and 10,000 articles,
Qdrant local mode (on disk) against in-memory.

    python bench/bench.py                 # everything, ~10-15 min on 2 cores; writes bench/results.md
    python bench/bench.py --scales 5,1000 --modes memory
    python bench/bench.py --no-real --scales "" --real-articles 10   # only a short real-text row

Part 1 (real models): ingest of the 5 corpus articles through rag.ingest with the real
EmbeddingGemma, and query latency of the real hybrid retriever (query embedding included).
Part 1b (real text): the corpus plus N real German news articles (the de-news fixture,
Settings.distractors_csv) ingested with the real embedder through rag.ingest, against one plain
fp32 SentenceTransformer.encode pass over the same text cut into 600-character pieces in the same
run: ingest speed / encode speed says how close ingest comes to the embedder's own speed. N=514
(all of them) takes roughly an hour on 2 cores; `--real-articles 0` leaves the row out.
Part 2 (scaling): EmbeddingGemma embeds ~17 sentences/s on 2 cores, so 10,000 articles (~100k
chunks) cannot be embedded here. The 1k/10k collections are *synthetic distractor articles*
(corpus sentences recombined, a share of words swapped for words from /usr/share/dict/ngerman
when present) embedded with the fast HashEmbedder at the real dimension 768: this measures
storage, search and BM25 cost at scale, not retrieval quality. Every (scale, mode) runs in a fresh
subprocess so its peak RSS is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIM = 768
N_QUERIES = 40  # real-model part
N_SCALE_QUERIES = 20  # scaling part
N_TRACEMALLOC = 3  # queries traced for Python allocation peaks (after the timed ones)
N_SCALE_QUERIES_10K = 5  # keeps the 10k rows short: their load and BM25 build dominate
BATCH_ARTICLES = 100  # bulk load: upsert this many articles' chunks per call
DICT = Path("/usr/share/dict/ngerman")


def _rss_mb() -> float:
    import psutil
    return psutil.Process().memory_info().rss / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class _Sampler:
    """Samples RSS every 50 ms: the peak of one phase (ru_maxrss only knows the process peak)."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss_mb())


def pct(xs, q):
    from rag.evaluation.metrics import percentile  # the eval's own percentile: one definition of p50/p95
    return percentile(xs, q)


def _questions(n: int = N_QUERIES) -> list[str]:
    qs = [json.loads(x)["question"] for x in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if x.strip()]
    return qs[:n]


def _corpus_docs():
    from rag.load import discover, load_file
    return [load_file(p, ROOT / "corpus") for p in discover(ROOT / "corpus")]


def synthetic_docs(n: int, seed: int = 0):
    """n distractor articles: recombined corpus sentences, ~25% of words swapped for dictionary
    words, lengths like the real articles. Deterministic for a seed."""
    import hashlib

    from rag.chunk import split_sentences
    from rag.types import Document

    real = _corpus_docs()
    sents = [d.text[s:e] for d in real for s, e in split_sentences(d.text)]
    lengths = [len(d.text) for d in real]
    words = []
    if DICT.exists():
        words = [w for w in DICT.read_text(encoding="utf-8", errors="ignore").split() if w.isalpha()]
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        target = rnd.choice(lengths) * rnd.uniform(0.7, 1.3)
        parts, size = [], 0
        while size < target:
            s = rnd.choice(sents)
            if words:
                ws = s.split()  # keep the first word: a lower-case one would hide the sentence start
                s = " ".join([ws[0]] + [rnd.choice(words) if rnd.random() < 0.25 else w for w in ws[1:]])
            parts.append(s)
            size += len(s) + 1
        text = " ".join(parts)
        title = " ".join(rnd.choice(words or sents[0].split()) for _ in range(5))
        out.append(Document(doc_id=f"synthetic/{i:05d}.txt", title=title, source="", text=f"{title}\n{text}",
                            sha256=hashlib.sha256(text.encode()).hexdigest()))
    return out


# -- part 1: real models on the real corpus ------------------------------------------------------

def bench_real(mode: str) -> dict:
    from rag.config import Settings
    from rag.factory import build_embedder
    from rag.ingest import ingest
    from rag.retrieve import HybridRetriever
    from rag.store import QdrantStore

    tmp = Path(tempfile.mkdtemp(prefix="bench-real-"))
    s = Settings(index_dir=tmp, collection="bench")
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    emb = build_embedder(s)
    emb.embed_documents(["warm-up"])
    load_s = time.perf_counter() - t0
    store = QdrantStore(DIM, "bench", path=tmp / "qdrant", memory=(mode == "memory"))
    with _Sampler() as m_ing:
        rep = ingest(ROOT / "corpus", store, emb, s)
    n_chunks = rep.chunks_written
    chars = sum(len(d.text) for d in _corpus_docs())
    r = HybridRetriever(store, emb, s)
    r.retrieve("warm-up", 5)
    qs = _questions()
    lat_embed, lat_search, lat_total = [], [], []
    with _Sampler() as m_q:
        for q in qs:
            t0 = time.perf_counter()
            v = emb.embed_queries([q])[0]
            t1 = time.perf_counter()
            store.search(v, s.candidates)
            t2 = time.perf_counter()
            r.retrieve(q, 5)  # embeds again: the full hybrid path as the pipeline runs it
            t3 = time.perf_counter()
            lat_embed.append(t1 - t0)
            lat_search.append(t2 - t1)
            lat_total.append(t3 - t2)
    tracemalloc.start()  # separate pass: tracemalloc would slow the timed one
    for q in qs[:N_TRACEMALLOC]:
        r.retrieve(q, 5)
    _, tm_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    return {"part": "real", "mode": mode, "articles": 5, "chunks": n_chunks, "ingest_s": rep.seconds,
            "chunks_per_s": n_chunks / rep.seconds, "chars_per_s": chars / rep.seconds, "model_load_s": load_s,
            "embed_p50_s": pct(lat_embed, 50), "embed_p95_s": pct(lat_embed, 95),
            "search_p50_s": pct(lat_search, 50), "search_p95_s": pct(lat_search, 95),
            "query_p50_s": pct(lat_total, 50), "query_p95_s": pct(lat_total, 95),
            "rss_start_mb": rss0, "rss_peak_ingest_mb": m_ing.peak, "rss_peak_query_mb": m_q.peak,
            "tracemalloc_query_peak_mb": tm_peak / 2**20, "rss_peak_mb": _peak_rss_mb()}


# -- part 1b: real text, real embedder, against a plain encode pass -----------------------------

PIECE_CHARS = 600  # the plain encode pass embeds the same text in pieces of this many characters


def bench_realtext(n: int, progress_file: Path | None = None) -> dict:
    """Before and after, side by side in one process on the same text: the old ingest (every
    sentence encoded again after its passage, qdrant-client in memory) and today's (sentence vectors
    late-chunked out of the passage pass, Qdrant Edge on disk), with one plain fp32 encode pass
    between them as the yardstick (between: the machine's load drifts, the ratio should not)."""
    import shutil
    import tempfile

    from rag.config import Settings
    from rag.evaluation.distractors import load_distractors, resolve
    from rag.factory import build_embedder
    from rag.ingest import ingest_documents
    from rag.store import QdrantStore
    from rag.store.edge import EdgeStore

    res: dict = {"part": "realtext", "mode": "before/after", "articles": n, "complete": False, "runs": {}}

    def save():
        if progress_file:
            progress_file.write_text(json.dumps(res))

    s = Settings(collection="bench-real-text")
    docs = _corpus_docs() + load_distractors(resolve(None, s), n)
    chars = sum(len(d.text) for d in docs)
    res.update(n_docs=len(docs), chars=chars, csv=str(s.distractors_csv), batch_texts=s.ingest_batch_texts,
               sentence_vectors=s.sentence_vectors, load_start=round(os.getloadavg()[0], 2))
    t0 = time.perf_counter()
    emb32 = build_embedder(s.model_copy(update={"embed_dtype": "float32"}))  # before, and the yardstick
    emb = build_embedder(s)  # after: the default number format (bfloat16 where the CPU has it)
    for e in (emb32, emb):
        e.embed_documents(["Aufwärmen."])
    res.update(model_load_s=time.perf_counter() - t0, device=getattr(emb, "device", "?"),
               dtype_after=getattr(emb, "dtype", "?"))
    save()

    def ingest_run(label: str, sentences_from: str, store, emb) -> None:
        t_start, last = time.perf_counter(), [0.0]
        run = res["runs"].setdefault(label, {"sentences_from": sentences_from, "store": type(store).__name__,
                                             "dtype": getattr(emb, "dtype", "?")})

        def progress(frac, msg):  # a run stopped by the timeout still reports how far it got
            now = time.perf_counter()
            if now - last[0] > 5 or frac >= 1.0:
                last[0] = now
                run.update(ingest_fraction=frac, ingest_elapsed_s=now - t_start, ingest_status=msg)
                save()

        with _Sampler() as m_ing:
            rep = ingest_documents(docs, store, emb, s.model_copy(update={"sentence_vectors_from": sentences_from}),
                                   progress=progress)
        store.close()
        run.update(ingest_s=rep.seconds, chunks=rep.chunks_written, articles_per_s=len(docs) / rep.seconds,
                   chars_per_s=chars / rep.seconds, rss_peak_ingest_mb=m_ing.peak)
        save()

    tmp = Path(tempfile.mkdtemp(prefix="bench-realtext-"))
    try:
        ingest_run("before", "separate", QdrantStore(emb.dim, s.collection, memory=True), emb32)
        # the yardstick: one plain encode of the same text, 600-character pieces, fp32, same batch size
        pieces = [d.text[i:i + PIECE_CHARS] for d in docs for i in range(0, len(d.text), PIECE_CHARS)]
        model = emb32._model
        kw = {"prompt_name": "document"} if "document" in (getattr(model, "prompts", {}) or {}) else {}
        t0 = time.perf_counter()
        model.encode(pieces, batch_size=s.embed_batch_size, convert_to_numpy=True, normalize_embeddings=True, **kw)
        encode_s = time.perf_counter() - t0
        res.update(encode_pieces=len(pieces), encode_s=encode_s, encode_chars_per_s=chars / encode_s,
                   dtype=str(next(model.parameters()).dtype))
        save()
        ingest_run("after", "passage", EdgeStore(emb.dim, tmp / "edge"), emb)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for run in res["runs"].values():
        run["ratio_to_encode"] = encode_s / run["ingest_s"]
    res.update(rss_peak_mb=_peak_rss_mb(), complete=True, load_end=round(os.getloadavg()[0], 2))
    save()
    return res


# -- part 2: scaling with synthetic articles and the hash embedder ------------------------------

def load_synthetic(store, n: int, s, emb, res: dict, save, spans: bool = False) -> bool:
    """The bulk load every scaling row shares: the same synthetic articles, chunks and hash vectors,
    BATCH_ARTICLES articles per upsert. spans: also pass the sentences' offsets (Edge keeps them in
    the payload, as `rag ingest` writes them). Returns whether sentence vectors were written."""
    from rag.chunk import chunk_document

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    docs = (_corpus_docs() + synthetic_docs(n - 5)) if n > 5 else _corpus_docs()
    chunks = [c for d in docs for c in chunk_document(d, s.chunk_max_chars, s.chunk_overlap_sentences)]
    res.update(gen_s=time.perf_counter() - t0, chunks=len(chunks), rss_start_mb=rss0)
    embed_s = upsert_s = 0.0
    done = 0
    by_doc: dict[str, list] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    doc_ids = list(by_doc)
    doc_of = {d.doc_id: d for d in docs}
    sent_vectors = getattr(s, "sentence_vectors", False)
    res["sentence_vectors"] = sent_vectors
    n_sent = 0
    with _Sampler() as m_ing:
        for i in range(0, len(doc_ids), BATCH_ARTICLES):
            ids = doc_ids[i:i + BATCH_ARTICLES]
            batch = [c for d in ids for c in by_doc[d]]
            t0 = time.perf_counter()
            vecs = emb.embed_documents([c.text for c in batch])
            svecs = sspans = None
            if sent_vectors:  # as rag.ingest does: each chunk also carries its sentences (MaxSim)
                from rag.ingest import _sentence_vectors
                per_doc = [_sentence_vectors(doc_of[d], by_doc[d], emb) for d in ids]
                svecs = [v for vs, _ in per_doc for v in vs]
                sspans = [sp for _, sps in per_doc for sp in sps]
                n_sent += sum(len(v) for v in svecs)
            t1 = time.perf_counter()
            if svecs is None:
                store.upsert(batch, vecs)
            elif spans:
                store.upsert(batch, vecs, svecs, sspans)
            else:
                store.upsert(batch, vecs, svecs)
            t2 = time.perf_counter()
            embed_s += t1 - t0
            upsert_s += t2 - t1
            done += len(batch)
            res.update(chunks_written=done, sentence_vectors_written=n_sent, upsert_s=upsert_s,
                       hash_embed_s=embed_s, rss_now_mb=_rss_mb())
            save()
    res.update(upsert_chunks_per_s=done / upsert_s if upsert_s else None, rss_peak_ingest_mb=m_ing.peak)
    save()
    return sent_vectors


def query_latencies(store, r, emb, s, n: int, sent_vectors: bool, res: dict, save) -> None:
    """Dense, MaxSim, BM25 and hybrid-retrieve latencies over the eval questions (hash-embedded),
    the query phase's peak RSS and a short tracemalloc pass: the same for every scaling row."""
    qs = _questions(N_SCALE_QUERIES if n <= 1000 else N_SCALE_QUERIES_10K)
    res["queries"] = len(qs)
    lat_dense, lat_sent, lat_bm25, lat_hybrid = [], [], [], []
    with _Sampler() as m_q:
        for q in qs:
            v = emb.embed_queries([q])[0]
            t0 = time.perf_counter()
            store.search(v, s.candidates)
            t1 = time.perf_counter()
            if sent_vectors:
                store.search(v, s.candidates, using="sent")
            t2 = time.perf_counter()
            store.keyword_search(q, s.candidates)
            t3 = time.perf_counter()
            r.retrieve(q, 5, query_vector=v)
            t4 = time.perf_counter()
            lat_dense.append(t1 - t0)
            if sent_vectors:
                lat_sent.append(t2 - t1)
            lat_bm25.append(t3 - t2)
            lat_hybrid.append(t4 - t3)
            res.update(queries_done=len(lat_hybrid), search_p50_s=pct(lat_dense, 50),
                       sent_search_p50_s=pct(lat_sent, 50) if lat_sent else None, bm25_p50_s=pct(lat_bm25, 50),
                       hybrid_p50_s=pct(lat_hybrid, 50))
            save()  # a run stopped by the timeout still reports the queries it finished
    # tracemalloc slows allocation-heavy code (the embedded Qdrant) a lot: a separate, short pass
    tracemalloc.start()
    for q in qs[:N_TRACEMALLOC]:
        r.retrieve(q, 5, query_vector=emb.embed_queries([q])[0])
    _, tm_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    res.update(sent_search_p50_s=pct(lat_sent, 50) if lat_sent else None, bm25_p50_s=pct(lat_bm25, 50))
    res.update(search_p50_s=pct(lat_dense, 50), search_p95_s=pct(lat_dense, 95),
               hybrid_p50_s=pct(lat_hybrid, 50), hybrid_p95_s=pct(lat_hybrid, 95),
               rss_peak_query_mb=m_q.peak, tracemalloc_query_peak_mb=tm_peak / 2**20,
               rss_peak_mb=_peak_rss_mb(), complete=True)


def bench_scale(n: int, mode: str, progress_file: Path | None = None) -> dict:
    from rag.config import Settings
    from rag.embed import HashEmbedder
    from rag.retrieve import HybridRetriever
    from rag.store import QdrantStore

    res: dict = {"part": "scale", "mode": mode, "articles": n, "complete": False}

    def save():
        if progress_file:
            progress_file.write_text(json.dumps(res))

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
    s = Settings(index_dir=tmp, collection="bench", embed_backend="hash", embed_dim=DIM)
    emb = HashEmbedder(DIM)
    store = QdrantStore(DIM, "bench", path=tmp / "qdrant", memory=(mode == "memory"))
    sent_vectors = load_synthetic(store, n, s, emb, res, save)
    if mode == "local":  # start-up cost of reopening the on-disk index (what `rag serve` pays)
        store.close()
        t0 = time.perf_counter()
        store = QdrantStore(DIM, "bench", path=tmp / "qdrant")
        res["reopen_s"] = time.perf_counter() - t0
        save()
    r = HybridRetriever(store, emb, s)
    t0 = time.perf_counter()
    r.retrieve("warm-up", 5)  # builds BM25 over all chunks
    res["bm25_build_s"] = time.perf_counter() - t0
    save()
    query_latencies(store, r, emb, s, n, sent_vectors, res, save)
    if mode == "local":
        res["disk_mb"] = sum(f.stat().st_size for f in (tmp / "qdrant").rglob("*") if f.is_file()) / 2**20
    store.close()
    save()
    return res


# -- driver -------------------------------------------------------------------------------------

def _edge():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_edge
    return bench_edge


def _worker(args) -> int:
    pf = Path(args.progress) if args.progress else None
    if args.part == "edge-query":
        _edge().edge_query(sys.modules[__name__], args.scale, Path(args.index), pf)
        return 0
    if args.part == "real":
        res = bench_real(args.mode)
    elif args.part == "realtext":
        res = bench_realtext(args.scale, pf)
    elif args.mode == "edge":
        res = _edge().bench_edge(sys.modules[__name__], args.scale, pf)
    else:
        res = bench_scale(args.scale, args.mode, pf)
    if pf:
        pf.write_text(json.dumps(res))
    return 0


def _run_sub(part: str, mode: str, scale: int, timeout: float) -> dict:
    pf = Path(tempfile.mkstemp(prefix="bench-", suffix=".json")[1])
    cmd = [sys.executable, __file__, "--worker", "--part", part, "--mode", mode, "--scale", str(scale),
           "--progress", str(pf)]
    t0 = time.perf_counter()
    print(f"... {part} {mode} {scale} articles", file=sys.stderr, flush=True)
    try:
        proc = subprocess.run(cmd, timeout=timeout, capture_output=True, text=True)
        err = proc.stderr[-800:] if proc.returncode else None
    except subprocess.TimeoutExpired:
        err = f"stopped after {timeout:.0f}s"
    try:
        res = json.loads(pf.read_text() or "{}")
    except ValueError:
        res = {}
    pf.unlink(missing_ok=True)
    res.setdefault("part", part)
    res.setdefault("mode", mode)
    res.setdefault("articles", scale)
    res["wall_s"] = time.perf_counter() - t0
    if err:
        res["error"] = err
    return res


def _f(v, unit="", nd=2):
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if unit == "ms":
        return f"{v * 1000:.1f}"
    return f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def markdown(results: list[dict], meta: dict) -> str:
    real = [r for r in results if r["part"] == "real"]
    realtext = [r for r in results if r["part"] == "realtext"]
    scale = [r for r in results if r["part"] == "scale"]
    out = ["# Benchmarks", "",
           f"Run {meta['when']} on {meta['cpus']} CPU cores ({meta['cpu']}), {meta['ram_gb']:.0f} GB RAM; "
           f"load average {meta['load_start']} at the start, {meta['load_end']} at the end; "
           f"the whole benchmark took {meta['total_s']:.0f}s. Reproduce: `make bench` "
           "(or `python bench/bench.py`)." + (f" Update: {meta['update']}." if meta.get("update") else ""), "",
           "## 1. Real models, the 5 corpus articles", "",
           "Ingest = `rag.ingest` (load, chunk, EmbeddingGemma on CPU, upsert). Query = the hybrid "
           f"retriever (query embedding + Qdrant + BM25 + fusion), {N_QUERIES} questions of the eval set.", "",
           "| store | chunks | ingest s | chunks/s | chars/s | query embed p50/p95 ms | Qdrant search p50/p95 ms "
           "| hybrid retrieve p50/p95 ms | peak RSS MB (ingest / query) | tracemalloc peak MB (3 queries) |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in real:
        out.append(f"| {r['mode']} | {r.get('chunks', '—')} | {_f(r.get('ingest_s'), nd=1)} | "
                   f"{_f(r.get('chunks_per_s'))} | {_f(r.get('chars_per_s'), nd=0)} | "
                   f"{_f(r.get('embed_p50_s'), 'ms')} / {_f(r.get('embed_p95_s'), 'ms')} | "
                   f"{_f(r.get('search_p50_s'), 'ms')} / {_f(r.get('search_p95_s'), 'ms')} | "
                   f"{_f(r.get('query_p50_s'), 'ms')} / {_f(r.get('query_p95_s'), 'ms')} | "
                   f"{_f(r.get('rss_peak_ingest_mb'), nd=0)} / {_f(r.get('rss_peak_query_mb'), nd=0)} | "
                   f"{_f(r.get('tracemalloc_query_peak_mb'))} |" + (f" error: {r['error'][:80]}" if r.get("error") else ""))
    if realtext:
        out += ["", "## 1b. Real text: corpus + N de-news articles, real embedder, before / after", "",
                "Ingest = `rag.ingest.ingest_documents` of the 5 corpus articles plus N real German news articles "
                "(derStandard.at 2015-16), twice in one process: *before* = every sentence encoded again after "
                "its passage (`RAG_SENTENCE_VECTORS_FROM=separate`), float32, qdrant-client in memory; *after* = "
                "sentence vectors late-chunked out of the passage's own forward pass (`passage`, the default), "
                "the default number format (`RAG_EMBED_DTYPE=auto`: bfloat16 on a CPU with native bfloat16), "
                f"Qdrant Edge on disk. Encode = one plain fp32 `SentenceTransformer.encode` of the same text in {PIECE_CHARS}-character "
                "pieces (document prompt, same batch size), run between the two. Ratio = ingest speed / encode "
                "speed (1.0: ingest runs at the embedder's speed).", "",
                "| text | run | device | articles | chars | chunks | ingest s | articles/s | chars/s | encode s "
                "| encode chars/s | ratio | peak RSS MB (ingest) | load avg | note |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in realtext:
            for label, run in (r.get("runs") or {"—": r}).items():
                note = "" if r.get("complete") else (r.get("error") or "incomplete")
                if not run.get("ingest_s") and run.get("ingest_fraction"):
                    note += f"; ingest {run['ingest_fraction']:.0%} done after {run.get('ingest_elapsed_s', 0):.0f}s"
                out.append(f"| corpus + {r['articles']} de-news | {label} ({run.get('sentences_from', '—')}, "
                           f"{run.get('dtype', '—')}, {run.get('store', '—')}) | {r.get('device', '—')} | {r.get('n_docs', '—')} | "
                           f"{r.get('chars', '—')} | {run.get('chunks', '—')} | {_f(run.get('ingest_s'), nd=1)} | "
                           f"{_f(run.get('articles_per_s'))} | {_f(run.get('chars_per_s'), nd=0)} | "
                           f"{_f(r.get('encode_s'), nd=1)} | {_f(r.get('encode_chars_per_s'), nd=0)} | "
                           f"{_f(run.get('ratio_to_encode'))} | {_f(run.get('rss_peak_ingest_mb'), nd=0)} | "
                           f"{r.get('load_start', '—')} → {r.get('load_end', '—')} | {note.strip('; ')[:160]} |")
    out += ["", "## 2. Scaling: 5, 1,000, 10,000 articles", "",
            "**The 1,000/10,000-article collections are synthetic distractor articles** (the 5 real articles plus "
            "recombined corpus sentences with ~25% of words swapped for German dictionary words) **embedded with "
            "the HashEmbedder at dimension 768**, because EmbeddingGemma on 2 cores (part 1) would need hours. "
            "These rows measure storage, vector search, BM25 and memory at scale, not retrieval quality; "
            "add the real query-embedding time from part 1 to get end-to-end retrieval latency. "
            f"Bulk load upserts {BATCH_ARTICLES} articles per call; latencies over {N_SCALE_QUERIES} eval questions ({N_SCALE_QUERIES_10K} at 10,000 articles, where p95 is near their maximum) "
            "(hash-embedded). Each row runs in a fresh process.", "",
            "| articles | store | chunks | sentence vectors | upsert s | upsert chunks/s | reopen s | BM25 build s "
            "| open → first result s | Qdrant search p50/p95 ms "
            "| sentence MaxSim p50 ms | BM25 p50 ms | hybrid retrieve p50/p95 ms | peak RSS MB (load / query) "
            "| tracemalloc peak MB (3 queries) | disk MB | note |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in scale:
        note = "" if r.get("complete") else (r.get("error") or "incomplete")
        if not r.get("complete") and r.get("chunks_written"):
            w, tot, sec = r["chunks_written"], r.get("chunks", 0), r.get("upsert_s", 0)
            note += f"; {w:,} of {tot:,} chunks written in {sec:.0f}s"
            if w < tot and sec:
                note += f" (full load would take ~{tot / w * sec / 60:.0f} min)"
        if r.get("rss_shared_end_mb") is not None:
            own = r["rss_end_mb"] - r["rss_shared_end_mb"]
            note = f"query RSS at the end: {own:.0f} MB own + {r['rss_shared_end_mb']:.0f} MB mapped index files; {note}"
        plain = next((x for x in scale if x["mode"] == "edge" and x["articles"] == r["articles"]), None)
        ov = _edge().overlap(plain, r) if r["mode"] == "edge+hnsw" and plain else None
        if ov:
            note = (f"top-10 overlap with plain: dense {ov['dense']:.2f}, MaxSim {ov['sent']:.2f}, BM25 "
                    f"{ov['bm25']:.2f}, retrieve top-5 {ov['retrieve']:.2f}; {note}")
        if r.get("optimize_s") is not None:
            cpu = f" ({r['optimize_cpu_s']:.0f} CPU s)" if r.get("optimize_cpu_s") else ""
            note = (f"after optimize(): {r['optimize_s']:.0f}s{cpu}, peak RSS {r.get('rss_peak_optimize_mb') or 0:.0f} MB; "
                    f"{note}")
        first = r.get("first_result_s")
        if first is None and r.get("reopen_s") is not None and r.get("bm25_build_s") is not None:
            first = r["reopen_s"] + r["bm25_build_s"]  # local: reopen + the first retrieve (it builds BM25)
        out.append(f"| {r['articles']:,} | {r['mode']} | {r.get('chunks', '—')} | "
                   f"{r.get('sentence_vectors_written', '—')} | {_f(r.get('upsert_s'), nd=1)} | "
                   f"{_f(r.get('upsert_chunks_per_s'), nd=0)} | {_f(r.get('reopen_s'))} | {_f(r.get('bm25_build_s'))} | "
                   f"{_f(first)} | "
                   f"{_f(r.get('search_p50_s'), 'ms')} / {_f(r.get('search_p95_s'), 'ms')} | "
                   f"{_f(r.get('sent_search_p50_s'), 'ms')} | {_f(r.get('bm25_p50_s'), 'ms')} | "
                   f"{_f(r.get('hybrid_p50_s'), 'ms')} / {_f(r.get('hybrid_p95_s'), 'ms')} | "
                   f"{_f(r.get('rss_peak_ingest_mb'), nd=0)} / {_f(r.get('rss_peak_query_mb'), nd=0)} | "
                   f"{_f(r.get('tracemalloc_query_peak_mb'))} | {_f(r.get('disk_mb'), nd=0)} | {note.strip('; ')[:400]} |")
    out += ["", "Notes: `local` = Qdrant local mode persisted on disk (`QdrantStore(path=...)`, what `rag ingest` "
            "uses by default); `memory` = `QdrantStore(memory=True)`. Both are qdrant-client's embedded "
            "Python implementation: exact (brute-force) search, every vector held in RAM; local mode "
            "additionally writes each point to SQLite and reloads all of them when the index is opened. "
            "For collections far beyond 10k articles use a Qdrant server (`QDRANT_URL`), which has an "
            "HNSW index. Peak RSS includes the Python interpreter and libraries (~150-250 MB without "
            "torch; the real-model rows include torch + EmbeddingGemma). tracemalloc counts Python "
            "allocations during the query phase only; in memory mode they are one float64 copy of the stored "
            "float32 vectors per search (qdrant-client multiplies them by a float64 query: 117 MiB at 20k "
            "points in a separate check), which is why memory mode searches slower than local mode here. "
            "Sentence vectors are plain points in a second collection, MaxSim = the best sentence per "
            "passage.", "",
            "`edge` = Qdrant Edge (`EdgeStore`, qdrant-edge-py, on-disk segments read through mmap, one point "
            "per passage: passage vector, its sentences as a MaxSim multivector, BM25 as a sparse vector, so "
            "there is no BM25 to build: 0). The same load and the same HybridRetriever as the other rows. Then "
            "the index is closed and a **fresh process** opens it: *reopen s* = `EdgeStore(...)` on the existing "
            "index, *open → first result s* = that plus the first `HybridRetriever.retrieve` of an eval question "
            "(what `rag ask`/`rag serve` waits for; Python imports, ~0.5 s, not included); for `local` it is reopen "
            "+ the first retrieve (which builds BM25) in the loading process. `edge` is the shard as written "
            "(plain segments: every search is a full scan); `edge+hnsw` is the same shard after "
            "`EdgeStore.optimize()` (HNSW graphs built for segments above Edge's indexing threshold), queried in "
            "another fresh process; its note gives optimize()'s time. Peak RSS (query) for edge is the query "
            "process's whole peak (open included); Edge's mmap'd file pages count in RSS (page cache the kernel "
            "can take back). Edge disk MB = blocks allocated (its files are sparse, preallocated). "
            "EdgeStore keeps the vectors *Cold* (read from their mapped files when a search needs them); with "
            "Edge's default, *Cached* (every vector file read in when the shard opens), the run of 2026-11-25 11:08 "
            "(load average 4 -> 12) measured at 10,000 articles: open -> first result 2.68 s plain / 4.86 s "
            "after optimize(), query RSS 3258 / 2411 MB (2890 / 2091 MB of it mapped files), hybrid p50 180 / 37 ms. "
            "Most of the open time that is left is Edge replaying its write-ahead log, which keeps the last "
            "writes (about 32-96 MB) whatever the index size: copies without their WAL opened in 0.17-0.33 s "
            "instead of 3.7-5.4 s (1,000 articles, load average ~9) and in 0.16-0.34 s instead of 0.77-1.28 s "
            "(the 10,000-article row after optimize(), load average ~7). optimize() holds the GIL (the "
            "RSS sampler thread stalls while it runs), so its peak is the process's ru_maxrss; the top-10 "
            "overlap compares each list after optimize() with the exact one before it, over the same questions. "
            "The edge rows hold more passages and sentence vectors at 10,000 articles (121,390 / 333,607) than "
            "the memory/local rows of 2026-11-23 (120,440 / 216,068): the code has changed between the runs "
            "(not traced here) and those rows were not re-measured, so the edge rows carry ~54% more sentence "
            "vectors.", ""]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="5,1000,10000")
    ap.add_argument("--modes", default="memory,local", help="memory, local (qdrant-client) and/or edge "
                    "(Qdrant Edge: gives an 'edge' and an 'edge+hnsw' row, before and after optimize())")
    ap.add_argument("--no-real", action="store_true", help="skip part 1 (real models)")
    ap.add_argument("--real-modes", default="local", help="stores for part 1 (the store barely matters "
                    "next to the model: part 2 compares them)")
    ap.add_argument("--real-articles", type=int, default=514,
                    help="part 1b: the corpus plus this many de-news articles with the real embedder "
                         "(514 = all, roughly an hour on 2 cores; 0 = leave the row out)")
    ap.add_argument("--real-text-timeout", type=float, default=7200, help="cap for part 1b in seconds")
    ap.add_argument("--timeout", type=float, default=420, help="seconds per scaling run (a run past it is "
                    "stopped and reported with what it reached)")
    ap.add_argument("--local-10k-timeout", type=float, default=1500,
                    help="cap for local mode at 10k articles (its load alone takes ~6 min)")
    ap.add_argument("--edge-timeout", type=float, default=3600,
                    help="cap for one edge run (load, optimize() and two query processes) in seconds")
    ap.add_argument("--update", action="store_true", help="replace only the measured rows in the results")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--part", default="scale", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="memory", help=argparse.SUPPRESS)
    ap.add_argument("--scale", type=int, default=5, help=argparse.SUPPRESS)
    ap.add_argument("--progress", help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return _worker(args)
    import platform

    import psutil
    t0 = time.perf_counter()
    meta = {"when": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(), "ram_gb": psutil.virtual_memory().total / 2**30,
            "load_start": round(os.getloadavg()[0], 2)}
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results = []
    if not args.no_real:
        for m in [x.strip() for x in args.real_modes.split(",") if x.strip()]:
            results.append(_run_sub("real", m, 5, 600))
    if args.real_articles > 0:
        results.append(_run_sub("realtext", "before/after", args.real_articles, args.real_text_timeout))
    for n in [int(x) for x in args.scales.split(",") if x.strip()]:
        for m in modes:
            # local mode at 10k writes every point to SQLite one by one: it gets its own, longer limit
            limit = args.local_10k_timeout if (m == "local" and n >= 10000) else args.timeout
            if m == "edge":  # upsert, two fresh query processes and optimize() (HNSW) in one run
                res = _run_sub("scale", m, n, args.edge_timeout)
                results += _edge().rows(res)
            else:
                results.append(_run_sub("scale", m, n, limit))
    meta.update(total_s=time.perf_counter() - t0, load_end=round(os.getloadavg()[0], 2))
    jpath = args.out.with_suffix(".json")
    if args.update and jpath.exists():  # re-measure some rows, keep the others from the last full run
        old = json.loads(jpath.read_text())
        key = lambda r: (r["part"], r["mode"], r["articles"])  # noqa: E731
        fresh = {key(r): r for r in results}
        redone = ", ".join(f"{p} {m} {a}" for p, m, a in fresh)
        results = [fresh.pop(key(r), r) for r in old["results"]] + list(fresh.values())
        meta = {**old["meta"], "update": f"rows re-measured on {meta['when']} (load average {meta['load_start']}"
                f" -> {meta['load_end']}, {meta['total_s']:.0f}s): {redone}"}
    md = markdown(results, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(md, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
