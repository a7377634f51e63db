"""Writes an evaluation result: JSON, a Markdown report with plots, and the change against the
previous stored run of the same mode (re-aggregated over the questions both runs share)."""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

from .metrics import LOWER_IS_BETTER, summarize

RETRIEVAL = ["hit@1", "hit@5", "mrr", "ndcg@10", "gold_recall@5", "context_chars@5"]
ANSWER = ["key_fact_acc", "key_fact_share", "citation_precision", "citation_recall", "citation_precision_sent",
          "citation_recall_sent", "abstain_precision",
          "abstain_recall", "abstain_f1", "false_abstain_share", "faithfulness_mean", "faithfulness_share"]
CHECK = ["check_sentences", "check_recited", "check_attached", "check_dropped", "check_fallback"]
LATENCY = ["retrieve_p50_s", "retrieve_p95_s", "prompt_tokens_p50", "prompt_tps_p50", "ttft_p50_s",
           "answer_p50_s", "answer_p95_s"]
NOT_SCORED = {"context_chars@5", "prompt_tps_p50", *CHECK}  # descriptive, neither better nor worse
REGRESSION_ABS = 0.02  # a quality metric this much lower than last time is flagged
REGRESSION_REL_LATENCY = 0.25  # latency this much higher (and > 50 ms) is flagged


def _fmt(v, metric: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if metric.endswith("_s"):
        return f"{v:.2f}s" if v < 10 else f"{v:.1f}s"
    if metric in ("context_chars@5", "prompt_tokens_p50", "prompt_tps_p50") or metric.startswith("check_"):
        return f"{v:.0f}"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _ratio(v) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}×" if v < 100 else ">100×"


def _metrics(res: dict) -> list[str]:
    present = {k for s in res["systems"].values() for k in s["summary"]}
    return [m for m in RETRIEVAL + ANSWER + CHECK + LATENCY if m in present]


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _splits(res: dict) -> list[str]:
    """The splits of this run when there is more than one (tuned-on and held-out are reported apart)."""
    groups = res["systems"]["ours"].get("by_split") or {}
    return sorted(groups, key=lambda g: g != "tune") if len(groups) > 1 else []


def _summary(res: dict, s: str, split: str | None) -> dict:
    sys_ = res["systems"][s]
    return sys_["summary"] if split is None else (sys_.get("by_split") or {}).get(split, {})


def console_table(res: dict) -> str:
    systems = list(res["systems"])
    out = []
    for split in [None] + _splits(res):
        rows = [[m] + [_fmt(_summary(res, s, split).get(m), m) for s in systems] for m in _metrics(res)]
        head = ["metric" if split is None else f"[{split}]"] + systems
        w = [max(len(x) for x in col) for col in zip(head, *rows)]
        line = lambda r: "  ".join(x.ljust(w[i]) for i, x in enumerate(r))  # noqa: E731
        out.append("\n".join([line(head), line(["-" * x for x in w])] + [line(r) for r in rows]))
    return "\n\n".join(out)


# -- comparison with the previous run ---------------------------------------------------------

def compare(res: dict, prev: dict | None) -> dict | None:
    if not prev or prev.get("mode") != res["mode"]:
        return None
    ft = res["faith_threshold"]
    out = {"previous_created": prev.get("created"), "previous_git": prev.get("git"), "systems": {}}
    for name, sys_ in res["systems"].items():
        old = prev.get("systems", {}).get(name)
        if not old:
            continue
        ids = {r["id"] for r in sys_["records"]} & {r["id"] for r in old["records"]}
        if not ids:
            continue
        new_s = summarize([r for r in sys_["records"] if r["id"] in ids], ft)
        old_s = summarize([r for r in old["records"] if r["id"] in ids], ft)
        rows = {}
        for m in RETRIEVAL + ANSWER + LATENCY:
            a, b = new_s.get(m), old_s.get(m)
            if a is None or b is None:
                continue
            d = a - b
            if m in NOT_SCORED:
                flag = False
            elif m in LOWER_IS_BETTER:
                flag = d > 0.05 and b > 0 and d / b > REGRESSION_REL_LATENCY
            else:
                flag = d < -REGRESSION_ABS
            rows[m] = {"now": a, "before": b, "delta": d, "regression": flag}
        out["systems"][name] = {"n_common": len(ids), "metrics": rows}
    out["regressions"] = [f"{n}:{m}" for n, s in out["systems"].items() for m, r in s["metrics"].items()
                          if r["regression"]]
    return out


# -- plots ------------------------------------------------------------------------------------

def _bars(path: Path, title: str, metrics: list[str], res: dict, systems: list[str], ylabel: str = "") -> bool:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    vals = {s: [res["systems"][s]["summary"].get(m) for m in metrics] for s in systems}
    metrics_ok = [i for i, m in enumerate(metrics) if any(vals[s][i] is not None for s in systems)]
    if not metrics_ok or not systems:
        return False
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(metrics_ok) + 2), 4))
    width = 0.8 / len(systems)
    for j, s in enumerate(systems):
        xs = [k + j * width for k in range(len(metrics_ok))]
        raw = [vals[s][i] for i in metrics_ok]
        ys = [y or 0.0 for y in raw]
        bars = ax.bar(xs, ys, width, label=s)
        for b, y, r in zip(bars, ys, raw):  # a metric that does not apply is labelled, not drawn as 0
            ax.annotate("n/a" if r is None else f"{y:.2f}", (b.get_x() + b.get_width() / 2, y), ha="center",
                        va="bottom", fontsize=7)
    ax.set_xticks([k + width * (len(systems) - 1) / 2 for k in range(len(metrics_ok))])
    ax.set_xticklabels([metrics[i] for i in metrics_ok])
    ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _by_group_plot(path: Path, title: str, metric: str, res: dict, systems: list[str], group: str) -> bool:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted({g for s in systems for g in res["systems"][s][group]})
    groups = [g for g in groups if any(res["systems"][s][group][g].get(metric) is not None for s in systems)]
    if not groups:
        return False
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(groups) + 2), 4))
    width = 0.8 / len(systems)
    for j, s in enumerate(systems):
        ys = [res["systems"][s][group].get(g, {}).get(metric) or 0.0 for g in groups]
        ax.bar([k + j * width for k in range(len(groups))], ys, width, label=s)
    ax.set_xticks([k + width * (len(systems) - 1) / 2 for k in range(len(groups))])
    ax.set_xticklabels(groups)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def make_plots(res: dict, out: Path) -> list[tuple[str, str]]:
    mode, systems = res["mode"], list(res["systems"])
    answering = [s for s in systems if res["systems"][s]["kind"] == "answers"]
    pdir = out / "plots"
    pdir.mkdir(parents=True, exist_ok=True)
    made = []
    specs = [
        ("retrieval", lambda p: _bars(p, "Retrieval (answerable questions)", ["hit@1", "hit@5", "mrr", "ndcg@10",
                                      "gold_recall@5"], res, systems)),
        ("hit5_by_type", lambda p: _by_group_plot(p, "hit@5 by question type", "hit@5", res, systems, "by_type")),
        ("latency", lambda p: _bars(p, "Latency", LATENCY, res, systems, "seconds")),
    ]
    if answering:
        specs += [
            ("answers", lambda p: _bars(p, "Answers", ANSWER, res, answering)),
            ("keyfacts_by_type", lambda p: _by_group_plot(p, "key-fact accuracy by type", "key_fact_acc", res,
                                                           answering, "by_type")),
        ]
    for name, fn in specs:
        rel = f"plots/{mode}_{name}.png"
        if fn(out / rel):
            made.append((name, rel))
    return made


# -- markdown ---------------------------------------------------------------------------------

def _breakdown_md(res: dict, group: str, metrics: list[str]) -> str:
    parts = []
    for s, sys_ in res["systems"].items():
        rows = []
        for g, summ in sys_[group].items():
            row = [g, str(summ["n"])] + [_fmt(summ.get(m), m) for m in metrics]
            if any(x != "—" for x in row[2:]):
                rows.append(row)
        keep = [i for i, m in enumerate(metrics) if any(r[2 + i] != "—" for r in rows)]
        parts.append(f"**{s}**\n\n" + _table([group.replace("by_", ""), "n"] + [metrics[i] for i in keep],
                                              [r[:2] + [r[2 + i] for i in keep] for r in rows]))
    return "\n\n".join(parts)


def markdown(res: dict, plots: list[tuple[str, str]]) -> str:
    systems, metrics = list(res["systems"]), _metrics(res)
    t = res["timing"]
    qs = res.get("quickstart")
    nd = res.get("distractors") or 0
    lines = [f"# Evaluation report — {res['mode']} mode" + (f", among {nd} distractor articles" if nd else ""), "",
             f"- run: {res['created']}, code {res['git']}, {res['n_questions']} questions "
             f"({res['systems']['ours']['summary']['n_answerable']} answerable)",
             *([f"- **distractors: {nd}** articles from {res.get('distractors_source')} indexed next to the "
                f"{res.get('corpus_articles', '?')} corpus articles (every system searches all "
                f"{nd + (res.get('corpus_articles') or 0)}); the questions and their gold are the corpus'"]
               if nd else []),
             *([f"- **interrupted**: only the {res['n_questions']} questions finished before the stop are scored"]
               if res.get("interrupted") else []),
             *(["- resumed: questions finished by an earlier, killed run were taken from its checkpoint"]
               if res.get("resumed") else []),
             f"- embedder {res['settings']['embed_model']} (dim {res['settings']['embed_dim']}), "
             f"LLM {res.get('llm') or '— (retrieval only)'}",
             f"- took {t['total_s']:.0f}s in all (ingest {t['ingest_s']:.0f}s, baseline set-up "
             f"{t['setup_s']:.0f}s, questions {t['questions_s']:.0f}s) on {t.get('cpus')} CPU cores, "
             f"load average {t.get('load_avg_start')} at the start, {t.get('load_avg_end')} at the end "
             f"(latencies are only comparable between runs on a quiet machine)",
             f"- reproduce: `rag eval{' --quick' if res['mode'] == 'quick' else ''}"
             f"{' --split ' + res['split'] if res.get('split', 'all') != 'all' else ''}"
             f"{' --limit ' + str(res['n_questions']) if res.get('limited') else ''}"
             f"{' --distractors' if nd else ''}"
             f"{' --distractors-limit ' + str(res['distractors_limit']) if nd and res.get('distractors_limit') else ''}`",
             "",
             "## Results", "", _table(["metric"] + systems,
                                      [[m] + [_fmt(res["systems"][s]["summary"].get(m), m) for s in systems]
                                       for m in metrics]), ""]
    for split in _splits(res):
        n = _summary(res, "ours", split).get("n", 0)
        lines += [f"### Split `{split}` ({n} questions)" + (": written before the change, never tuned on"
                                                          if split == "heldout" else ""), "",
                  _table(["metric"] + systems, [[m] + [_fmt(_summary(res, s, split).get(m), m) for s in systems]
                                                for m in metrics]), ""]
    if res["ratios"]:
        ms = [m for m in metrics if m not in NOT_SCORED
              and any(res["ratios"][b].get(m) is not None for b in res["ratios"])]
        lines += ["## Ours relative to each baseline (ours / baseline)", "",
                  "Above 1 is better for quality metrics, below 1 is better for latency.", "",
                  _table(["metric"] + list(res["ratios"]),
                         [[m] + [_ratio(res["ratios"][b].get(m)) for b in res["ratios"]] for m in ms]), ""]
    if nd:
        lines += _beside_md(res)
    cmp_ = res.get("comparison")
    lines += ["## Change against the previous run", ""]
    if not cmp_ or not cmp_["systems"]:
        lines += ["No previous result of this mode to compare with.", ""]
    else:
        lines += [f"Previous run: {cmp_['previous_created']} (code {cmp_['previous_git']}); metrics recomputed "
                  f"over the questions both runs share. ⚠ marks a regression (quality down by more than "
                  f"{REGRESSION_ABS}, or latency up by more than {REGRESSION_REL_LATENCY:.0%}).", ""]
        if cmp_["regressions"]:
            lines += ["**Regressions: " + ", ".join(cmp_["regressions"]) + "**", ""]
        else:
            lines += ["No regressions.", ""]
        rows = []
        for s, c in cmp_["systems"].items():
            for m, r in c["metrics"].items():
                rows.append([s, m, _fmt(r["before"], m), _fmt(r["now"], m),
                             f"{r['delta']:+.3f}" + (" ⚠" if r["regression"] else ""), str(c["n_common"])])
        lines += [_table(["system", "metric", "before", "now", "delta", "n"], rows), ""]
    lines += ["## By question type", "",
              _breakdown_md(res, "by_type", ["hit@5", "mrr", "key_fact_acc", "citation_precision",
                                             "abstain_recall", "faithfulness_share"]), "",
              "## By language of the question", "",
              _breakdown_md(res, "by_lang", ["hit@5", "mrr", "ndcg@10", "key_fact_acc", "citation_precision",
                                             "abstain_precision", "abstain_recall"]), ""]
    if plots:
        lines += ["## Plots", ""] + [f"![{n}]({p})" for n, p in plots] + [""]
    ours = res["systems"]["ours"]["records"]
    miss = [r["id"] for r in ours if r["answerable"] and r.get("rels") is not None and not any(r["rels"][:5])]
    lines += ["## Misses of our pipeline", "",
              f"- no gold passage in the top 5: {', '.join(miss) or 'none'}"]
    if res["systems"]["ours"]["kind"] == "answers":
        kf = [r["id"] for r in ours if r["answerable"] and r["facts_found"] and not all(r["facts_found"])]
        fa = [r["id"] for r in ours if r["answerable"] and r["abstained"]]
        na = [r["id"] for r in ours if not r["answerable"] and not r["abstained"]]
        err = [r["id"] for r in ours if r.get("error")]
        lines += [f"- key facts missing: {', '.join(kf) or 'none'}",
                  f"- abstained although answerable: {', '.join(fa) or 'none'}",
                  f"- answered although unanswerable: {', '.join(na) or 'none'}",
                  f"- errors: {', '.join(err) or 'none'}"]
    lines += ["", "## How to read this", "",
              "- Retrieval metrics are over answerable questions; a passage is gold when it comes from the gold "
              "article and contains or overlaps a gold quote. nDCG@10 gives one unit of gain per gold quote "
              "(the first passage covering it), so different chunk sizes compare fairly; `context_chars@5` "
              "shows how much text the top 5 hold (large chunks make hit@k easier).",
              "- `ours` is the hybrid retriever (BM25 + dense, RRF) and, in full mode, `Pipeline.ask`; "
              "`bm25` and `dense` are the same retriever restricted to one ranking (retrieval only); "
              "a follow-up is searched as previous user question + question (quick mode) or with the "
              "pipeline's condensed question (full mode).",
              (f"- `quickstart` is the plain llama-index quickstart on the same embedder and LLM: default "
               f"SentenceSplitter (1024 tokens, {qs['nodes']} nodes here), SimpleVectorStore, "
               f"`as_query_engine(similarity_top_k={qs['top_k']})` (llama-index's default). It has no chat "
               f"history, so it gets previous user question + question; it does not cite inline, so citation "
               f"metrics do not apply; abstention is read from its text (`rag.cite.looks_like_abstention`)."
               if qs else "- no quickstart baseline in this run."),
              "- Key-fact accuracy: share of answerable questions whose answer contains (case-insensitive) an "
              "alternative of every key fact; key_fact_share is the mean share of facts found.",
              "- Citation precision: share of citations whose passage is gold (answerable questions, pooled); "
              "citation recall: mean share of gold quotes covered by a cited passage.",
              "- Abstention: positive class = should abstain (unanswerable); precision = abstentions that were "
              "right, recall = unanswerable questions abstained on.",
              f"- Faithfulness is an **embedding proxy, not NLI**: cosine between each answer sentence and the "
              f"passage(s) it cites (quickstart: the best of its source passages), with the real embedder on CPU; "
              f"faithfulness_share = sentences at or above {res['faith_threshold']}. It catches off-topic "
              f"sentences, not subtle contradictions.",
              "- Latency: retrieval includes embedding the query; answer latency is the whole ask "
              "(condense + retrieve + generate + citation check) on this machine's CPU.", ""]
    return "\n".join(lines)


def _beside_md(res: dict) -> list[str]:
    """The distractor run next to the last 5-article run of the same mode."""
    b = res.get("beside")
    out = [f"## Beside the 5-article run", ""]
    if not b or not b["systems"]:
        return out + [f"No 5-article result of {res['mode']} mode to set beside this one "
                      f"(run `rag eval{' --quick' if res['mode'] == 'quick' else ''}` first).", ""]
    nd = res["distractors"]
    out += [f"The same questions without distractors: {b.get('path')} (run {b['previous_created']}, code "
            f"{b['previous_git']}), metrics recomputed over the questions both runs share. Latencies "
            f"are only comparable on an equally quiet machine.", ""]
    rows = []
    for s, c in b["systems"].items():
        for m, r in c["metrics"].items():
            rows.append([s, m, _fmt(r["before"], m), _fmt(r["now"], m), f"{r['delta']:+.3f}", str(c["n_common"])])
    return out + [_table(["system", "metric", "5 articles", f"+ {nd} distractors", "delta", "n"], rows), ""]


def _json_default(o):
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def write_outputs(res: dict, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    stored = out / f"{res['mode']}.json"
    prev = None
    for cand in (stored, out / "latest.json"):
        if cand.exists():
            try:
                p = json.loads(cand.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            # a run among other distractors is not the previous run of this one
            if p.get("mode") == res["mode"] and (p.get("distractors") or 0) == (res.get("distractors") or 0):
                prev = p
                break
    res["comparison"] = compare(res, prev)
    plots = make_plots(res, out)
    text = json.dumps(res, ensure_ascii=False, indent=1, default=_json_default)
    tmp = stored.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(stored)
    shutil.copyfile(stored, out / "latest.json")
    md = markdown(res, plots)
    (out / f"report-{res['mode']}.md").write_text(md, encoding="utf-8")
    (out / "report.md").write_text(md, encoding="utf-8")
    return res
