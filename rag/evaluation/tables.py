"""What an evaluation report shows and how: the metric groups in report order and the formatting
of a value, a ratio and a Markdown table. Shared by the console table, the Markdown report, the
plots and the comparison with an earlier run, so they all list the same metrics the same way."""
from __future__ import annotations

import math

RETRIEVAL = ["hit@1", "hit@5", "mrr", "ndcg@10", "gold_recall@5", "context_chars@5"]
ANSWER = ["key_fact_acc", "key_fact_share", "citation_precision", "citation_recall", "citation_precision_sent",
          "citation_recall_sent", "abstain_precision",
          "abstain_recall", "abstain_f1", "false_abstain_share", "faithfulness_mean", "faithfulness_share",
          "answer_in_language"]
CHECK = ["check_sentences", "check_recited", "check_attached", "check_dropped", "check_quoted", "check_added",
         "check_language", "check_fallback", "check_figureless", "check_repeated", "check_measure",
         "check_speaker", "check_topic", "check_trimmed"]
LATENCY = ["retrieve_p50_s", "retrieve_p95_s", "prompt_tokens_p50", "prompt_tps_p50", "ttft_p50_s",
           "first_word_p50_s", "answer_p50_s", "answer_p95_s"]
NOT_SCORED = {"context_chars@5", "prompt_tps_p50", *CHECK}  # descriptive, neither better nor worse


def fmt(v, metric: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if metric.endswith("_s"):
        return f"{v:.2f}s" if v < 10 else f"{v:.1f}s"
    if metric in ("context_chars@5", "prompt_tokens_p50", "prompt_tps_p50") or metric.startswith("check_"):
        return f"{v:.0f}"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def fmt_ratio(v) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}×" if v < 100 else ">100×"


def present_metrics(res: dict) -> list[str]:
    present = {k for s in res["systems"].values() for k in s["summary"]}
    return [m for m in RETRIEVAL + ANSWER + CHECK + LATENCY if m in present]


def table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def splits(res: dict) -> list[str]:
    """The splits of this run when there is more than one (tuned-on and held-out are reported apart)."""
    groups = res["systems"]["ours"].get("by_split") or {}
    return sorted(groups, key=lambda g: g != "tune") if len(groups) > 1 else []


def split_summary(res: dict, s: str, split: str | None) -> dict:
    sys_ = res["systems"][s]
    return sys_["summary"] if split is None else (sys_.get("by_split") or {}).get(split, {})
