"""Answer speed, per answer: prompt tokens read, tokens served from llama.cpp's prompt cache, the
prompt-reading rate measured in the same call (the reference rate: these machines differ 3-4x),
time to first word against its budget (300 tokens / that rate + 0.5 s), and total time; each answer
also once more with llama.cpp's n-gram speculation off (RAG_SPECULATIVE=none), beside it in the same
run, so the speed-up is a ratio measured on the same machine at the same moment.

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
    # the baseline: the same index and embedder, a second llama.cpp instance decoding one token at a time
    plain = Pipeline(s.model_copy(update={"speculative": "none"}), embedder=pipe.embedder, store=pipe.store)
    plain.ask("Wer ist Lin Jian?")
    rows = []
    for _ in range(args.repeat):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            a = pipe.ask(q)
            t = a.timings
            b = plain.ask(q)
            rows.append({"question": q, "abstained": a.abstained, "answer": a.text,
                         "evidence_chars": sum(len(e.text) for e in a.evidence),
                         "prompt_tokens": t.get("prompt_tokens"), "cached_tokens": t.get("cached_tokens"),
                         "prompt_tps": t.get("prompt_tps"), "ttft_s": t.get("ttft_s"),
                         "total_s": t.get("total_s", time.perf_counter() - t0), "check": a.check,
                         "gen_tokens": t.get("gen_tokens"), "gen_tps": t.get("gen_tps"),
                         "plain_total_s": b.timings.get("total_s"), "plain_gen_tps": b.timings.get("gen_tps"),
                         "plain_same_answer": b.text == a.text})
            print(f"{q[:60]:60} tokens {t.get('prompt_tokens', '-')!s:>4} (+{t.get('cached_tokens', 0)} cached) "
                  f"@ {t.get('prompt_tps', 0):5.1f} tok/s  first word {t.get('ttft_s', 0):5.2f}s "
                  f"(budget {budget(t.get('prompt_tps', 0)):5.2f}s)  total {t.get('total_s', 0):5.2f}s "
                  f"(without speculation {b.timings.get('total_s', 0):5.2f}s)", flush=True)
    llm = [r for r in rows if r["ttft_s"]]
    med = {k: statistics.median(r[k] for r in llm) for k in ("prompt_tokens", "prompt_tps", "ttft_s", "total_s")} if llm else {}
    lines = [f"# Answer speed ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
             f"load average {load0:.2f} -> {os.getloadavg()[0]:.2f}, {pipe.generator.name})", "",
             "Reproduce: `python bench/answers.py`. Budget = 300 / prompt-reading rate + 0.5 s.", "",
             "| question | prompt tokens (+cached) | reading rate tok/s | first word s | budget s | total s | "
             "generated tokens | generation tok/s without → with speculation | total s without speculation | same answer |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['question']} | {r['prompt_tokens'] or '—'} (+{r['cached_tokens'] or 0}) | "
                     f"{r['prompt_tps'] or 0:.1f} | {r['ttft_s'] or 0:.2f} | {budget(r['prompt_tps'] or 0):.2f} | "
                     f"{r['total_s']:.2f} | {r['gen_tokens'] or 0} | {r['plain_gen_tps'] or 0:.1f} → {r['gen_tps'] or 0:.1f} | "
                     f"{r['plain_total_s'] or 0:.2f} | {'yes' if r['plain_same_answer'] else 'no'} |" if r["ttft_s"] else
                     f"| {r['question']} | — (no LLM call: abstained) | — | — | — | {r['total_s']:.2f} | — | — | — | — |")
    if med:
        lines += ["", f"Median over the {len(llm)} answers that called the model: {med['prompt_tokens']:.0f} prompt "
                  f"tokens at {med['prompt_tps']:.1f} tok/s, first word {med['ttft_s']:.2f} s (budget "
                  f"{budget(med['prompt_tps']):.2f} s), total {med['total_s']:.2f} s "
                  f"({med['total_s'] / med['ttft_s']:.2f}x the first word); without speculation "
                  f"{statistics.median(r['plain_total_s'] for r in llm):.2f} s. All {len(llm)} answers together: "
                  f"{sum(r['plain_total_s'] for r in llm):.1f} s without speculation, {sum(r['total_s'] for r in llm):.1f} s "
                  f"with it ({sum(r['plain_total_s'] for r in llm) / sum(r['total_s'] for r in llm):.2f}x); "
                  f"{sum(r['plain_same_answer'] for r in llm)} of {len(llm)} answers word for word the same."]
    (OUT / "answers.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (OUT / "answers.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(lines[-1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
