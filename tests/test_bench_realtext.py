"""bench/bench.py part 1b (real text) renders its row; the measurement itself needs the real model."""
import importlib.util

from rag.config import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench_mod", ROOT / "bench" / "bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_real_text_row_in_the_report():
    b = _bench()
    meta = {"when": "now", "cpus": 2, "cpu": "x", "ram_gb": 8, "load_start": 0.1, "load_end": 0.2, "total_s": 9}
    row = {"part": "realtext", "mode": "before/after", "articles": 10, "complete": True, "device": "cpu",
           "n_docs": 15, "chars": 38347, "encode_s": 40.0, "encode_chars_per_s": 958.0, "rss_peak_mb": 1500.0,
           "load_start": 1.5, "load_end": 1.7,
           "runs": {"before": {"sentences_from": "separate", "dtype": "float32", "store": "QdrantStore", "chunks": 88, "ingest_s": 100.0,
                               "articles_per_s": 0.15, "chars_per_s": 383.0, "ratio_to_encode": 0.4,
                               "rss_peak_ingest_mb": 1400.0},
                    "after": {"sentences_from": "passage", "dtype": "bfloat16", "store": "EdgeStore", "chunks": 88, "ingest_s": 50.0,
                              "articles_per_s": 0.3, "chars_per_s": 767.0, "ratio_to_encode": 0.8,
                              "rss_peak_ingest_mb": 1450.0}}}
    stopped = {"part": "realtext", "mode": "before/after", "articles": 514, "error": "stopped after 7200s",
               "runs": {"before": {"sentences_from": "separate", "store": "QdrantStore", "ingest_fraction": 0.5,
                                   "ingest_elapsed_s": 7000.0}}}
    md = b.markdown([row, stopped], meta)
    assert "## 1b. Real text" in md
    assert ("| corpus + 10 de-news | before (separate, float32, QdrantStore) | cpu | 15 | 38347 | 88 | 100.0 | 0.15 | 383 "
            "| 40.0 | 958 | 0.40 | 1400 | 1.5 → 1.7 |  |") in md
    assert "| corpus + 10 de-news | after (passage, bfloat16, EdgeStore) | cpu | 15 | 38347 | 88 | 50.0 | 0.30 | 767 " in md
    assert "ingest 50% done after 7000s" in md
