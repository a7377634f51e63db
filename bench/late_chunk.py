"""Late chunking against separate sentence vectors, side by side in one process (2 shared cores:
only ratios mean anything).

    python bench/late_chunk.py [--distractors 25] [--questions 20] [--rounds 1]

Speed: ingest's embedding step (rag.embed_batch.embed_batch) over the 5 corpus articles plus N
de-news articles, "separate" (passages + every sentence) vs "passage" (late chunking), and one
plain encode of the same text in 600-character pieces (the issue's yardstick). Runs alternate
A B C, C B A so drift in the machine's load hits all three alike.
Evidence: for the first Q questions of eval/questions.jsonl, the sentence of the 5 corpus
articles with the highest cosine to the question under either kind of sentence vector: how often
both pick the same sentence, and how often it holds a gold quote.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rag.chunk import chunk_document, split_sentences  # noqa: E402
from rag.config import ROOT, Settings  # noqa: E402
from rag.embed_batch import embed_batch  # noqa: E402
from rag.evaluation.distractors import load_distractors, resolve  # noqa: E402
from rag.factory import build_embedder  # noqa: E402
from rag.load import discover, load_file  # noqa: E402


def _batch(docs, s):
    return [(d, False, chunk_document(d, s.chunk_max_chars, s.chunk_overlap_sentences), split_sentences(d.text))
            for d in docs]


def speed(emb, docs, s, rounds: int) -> dict:
    batch = _batch(docs, s)
    pieces = [d.text[i:i + 600] for d in docs for i in range(0, len(d.text), 600)]
    runs = {"separate": lambda: list(embed_batch(batch, emb, "separate")),
            "passage": lambda: list(embed_batch(batch, emb, "passage")),
            "plain600": lambda: emb.embed_documents(pieces)}
    times: dict[str, list[float]] = {k: [] for k in runs}
    for r in range(rounds):
        for k in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            t0 = time.perf_counter()
            runs[k]()
            times[k].append(time.perf_counter() - t0)
    best = {k: min(v) for k, v in times.items()}
    return {"articles": len(docs), "chars": sum(len(d.text) for d in docs), "passages": sum(len(b[2]) for b in batch),
            "sentences": sum(len(b[3]) for b in batch), "pieces600": len(pieces), "seconds": times,
            "speedup_passage_vs_separate": best["separate"] / best["passage"],
            "passage_vs_plain600": best["plain600"] / best["passage"],
            "separate_vs_plain600": best["plain600"] / best["separate"]}


def evidence(emb, docs, s, n_q: int) -> dict:
    qs = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")]
    qs = [q for q in qs if q.get("answerable")][:n_q]
    tops: dict[str, list] = {}
    for how in ("separate", "passage"):
        sents, vecs = [], []
        for d, _, chunks, svs, spans in ((r[0], r[1], r[2], r[4], r[5]) for r in embed_batch(_batch(docs, s), emb, how)):
            for v, sp in zip(svs, spans):
                sents += [(d.doc_id, a, b, d.text[a:b]) for a, b in sp]
                vecs.append(v)
        qv = emb.embed_queries([q["question"] for q in qs])
        sim = qv @ np.concatenate(vecs).T
        tops[how] = [sents[i] for i in sim.argmax(1)]
    def gold(q, t):
        return any(g["doc_id"] == t[0] and g.get("quote", "\0")[:40] in t[3] for g in q.get("gold", []))
    return {"questions": len(qs), "same_top": sum(a[:3] == b[:3] for a, b in zip(tops["separate"], tops["passage"])),
            "gold_top_separate": sum(gold(q, t) for q, t in zip(qs, tops["separate"])),
            "gold_top_passage": sum(gold(q, t) for q, t in zip(qs, tops["passage"]))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--distractors", type=int, default=25)
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    s = Settings()
    emb = build_embedder(s)
    corpus = [load_file(f, s.corpus_dir, s.max_article_chars) for f in discover(s.corpus_dir)]
    out = {"evidence": evidence(emb, corpus, s, a.questions)}
    print(json.dumps(out), flush=True)
    out["speed"] = speed(emb, corpus + load_distractors(resolve(None, s), a.distractors), s, a.rounds)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
