"""Answer speed, per answer: prompt tokens read, tokens served from llama.cpp's prompt cache, the
prompt-reading rate measured in the same call (the reference rate: these machines differ 3-4x),
time to first word against its budget (300 tokens / that rate + 0.5 s), and total time.

Usage: python bench/answers.py [--repeat N]   (real models; RAG_* settings; writes bench/answers.md and .json)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from rag.config import Settings
from rag.pipeline import Pipeline

OUT = Path(__file__).resolve().parent
QUESTIONS = [
    "What did China say about the deployment?",
    "Wie viele nordkoreanische Soldaten sind laut Seoul in Russland?",
    "According to the Biden administration, how many North Korean soldiers are near the Ukrainian border?",
    "Who is Kris Osborn?",
    "Wann unterzeichneten Putin und Kim Jong Un ihren Vertrag?",
    "What did NATO Secretary General Mark Rutte say about China?",
    "How many North Korean soldiers died in Kursk?",
    "What is the capital of Australia?",
]


def budget(rate: float) -> float:
    """The issue's bound on the time to the first word: ~300 prompt tokens at the measured rate."""
    return 300 / rate + 0.5 if rate else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="ask every question this many times (cache warm after the first)")
    args = ap.parse_args()
    s = Settings()
    pipe = Pipeline(s, memory=True)
    load0 = os.getloadavg()[0]
    pipe.ingest(s.corpus_dir)
    pipe.ask("Wer ist Lin Jian?")  # loads the LLM and puts the system prompt into its cache
    rows = []
    for _ in range(args.repeat):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            a = pipe.ask(q)
            t = a.timings
            rows.append({"question": q, "abstained": a.abstained, "answer": a.text,
                         "evidence_chars": sum(len(e.text) for e in a.evidence),
                         "prompt_tokens": t.get("prompt_tokens"), "cached_tokens": t.get("cached_tokens"),
                         "prompt_tps": t.get("prompt_tps"), "ttft_s": t.get("ttft_s"),
                         "total_s": t.get("total_s", time.perf_counter() - t0), "check": a.check})
            print(f"{q[:60]:60} tokens {t.get('prompt_tokens', '-')!s:>4} (+{t.get('cached_tokens', 0)} cached) "
                  f"@ {t.get('prompt_tps', 0):5.1f} tok/s  first word {t.get('ttft_s', 0):5.2f}s "
                  f"(budget {budget(t.get('prompt_tps', 0)):5.2f}s)  total {t.get('total_s', 0):5.2f}s", flush=True)
    llm = [r for r in rows if r["ttft_s"]]
    med = {k: statistics.median(r[k] for r in llm) for k in ("prompt_tokens", "prompt_tps", "ttft_s", "total_s")} if llm else {}
    lines = [f"# Answer speed ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
             f"load average {load0:.2f} -> {os.getloadavg()[0]:.2f}, {pipe.generator.name})", "",
             "Reproduce: `python bench/answers.py`. Budget = 300 / prompt-reading rate + 0.5 s.", "",
             "| question | prompt tokens (+cached) | reading rate tok/s | first word s | budget s | total s |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['question']} | {r['prompt_tokens'] or '—'} (+{r['cached_tokens'] or 0}) | "
                     f"{r['prompt_tps'] or 0:.1f} | {r['ttft_s'] or 0:.2f} | {budget(r['prompt_tps'] or 0):.2f} | "
                     f"{r['total_s']:.2f} |" if r["ttft_s"] else
                     f"| {r['question']} | — (no LLM call: abstained) | — | — | — | {r['total_s']:.2f} |")
    if med:
        lines += ["", f"Median over the {len(llm)} answers that called the model: {med['prompt_tokens']:.0f} prompt "
                  f"tokens at {med['prompt_tps']:.1f} tok/s, first word {med['ttft_s']:.2f} s (budget "
                  f"{budget(med['prompt_tps']):.2f} s), total {med['total_s']:.2f} s "
                  f"({med['total_s'] / med['ttft_s']:.2f}x the first word)."]
    (OUT / "answers.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (OUT / "answers.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(lines[-1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
