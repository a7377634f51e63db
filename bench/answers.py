"""Evidence for the answering half: real questions (EN/DE), one unanswerable, speed figures.
Usage: python scripts/measure_answers.py [--out FILE]   (uses RAG_* settings, real models)"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from rag.config import Settings
from rag.pipeline import Pipeline
from rag.ui.format import answer_to_dict

QUESTIONS = [
    "What did China say about the deployment?",
    "Wie viele nordkoreanische Soldaten sind laut Seoul in Russland?",
    "According to the Biden administration, how many North Korean soldiers are near the Ukrainian border?",
    "Who is Kris Osborn?",
    "Wann unterzeichneten Putin und Kim Jong Un ihren Vertrag?",
    "How many North Korean soldiers died in Kursk?",
    "What is the capital of Australia?",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", help="write all answers as JSON here")
    args = ap.parse_args()
    s = Settings()
    pipe = Pipeline(s, memory=True)
    t = time.perf_counter()
    rep = pipe.ingest(s.corpus_dir)
    print(f"ingest: {rep.summary()} (wall {time.perf_counter() - t:.1f}s incl. model load)")
    lat = []
    for _ in range(3):
        for q in QUESTIONS:
            t = time.perf_counter()
            pipe.retrieve(q)
            lat.append(time.perf_counter() - t)
    print(f"retrieval latency over {len(lat)} queries: median {statistics.median(lat) * 1000:.0f} ms, "
          f"max {max(lat) * 1000:.0f} ms")
    out, speeds, ttfts = [], [], []
    for q in QUESTIONS:
        a = pipe.ask(q)
        t = a.timings
        print(f"\nQ: {q}\nA: {a.text}\n   abstained={a.abstained} backend={a.backend or 'none (threshold)'} "
              f"total={t.get('total_s', 0):.1f}s ttft={t.get('ttft_s', 0):.1f}s")
        for c in a.citations:
            print(f"   [{c.number}] {c.doc_id} {c.start}-{c.end} support={c.support:.2f}: {c.text[:110]!r}")
        if "ttft_s" in t and t.get("pieces", 0) > 1:
            speeds.append((t["pieces"] - 1) / max(1e-6, t["generate_s"] - t["ttft_s"]))
            ttfts.append(t["ttft_s"])
        out.append(answer_to_dict(a))
    if speeds:
        print(f"\ngeneration: median {statistics.median(speeds):.1f} tokens/s (stream pieces), "
              f"time to first token median {statistics.median(ttfts):.1f}s over {len(ttfts)} answers")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
