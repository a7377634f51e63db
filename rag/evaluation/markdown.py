"""The Markdown evaluation report (eval/results/report.md): the run's settings and cost, the
results per system and split, ours relative to each baseline, the change against the previous
run, breakdowns by type and language, the plots, the pipeline's misses and how to read it all."""
from __future__ import annotations

from .compare import REGRESSION_ABS, REGRESSION_REL_LATENCY
from .tables import NOT_SCORED, fmt, fmt_ratio, present_metrics, split_summary, splits, table


def _breakdown_md(res: dict, group: str, metrics: list[str]) -> str:
    parts = []
    for s, sys_ in res["systems"].items():
        rows = []
        for g, summ in sys_[group].items():
            row = [g, str(summ["n"])] + [fmt(summ.get(m), m) for m in metrics]
            if any(x != "—" for x in row[2:]):
                rows.append(row)
        keep = [i for i, m in enumerate(metrics) if any(r[2 + i] != "—" for r in rows)]
        parts.append(f"**{s}**\n\n" + table([group.replace("by_", ""), "n"] + [metrics[i] for i in keep],
                                              [r[:2] + [r[2 + i] for i in keep] for r in rows]))
    return "\n\n".join(parts)


def markdown(res: dict, plots: list[tuple[str, str]]) -> str:
    systems, metrics = list(res["systems"]), present_metrics(res)
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
             "## Results", "", table(["metric"] + systems,
                                      [[m] + [fmt(res["systems"][s]["summary"].get(m), m) for s in systems]
                                       for m in metrics]), ""]
    for split in splits(res):
        n = split_summary(res, "ours", split).get("n", 0)
        lines += [f"### Split `{split}` ({n} questions)" + (": written before the change, never tuned on"
                                                          if split == "heldout" else ""), "",
                  table(["metric"] + systems, [[m] + [fmt(split_summary(res, s, split).get(m), m) for s in systems]
                                                for m in metrics]), ""]
    if res["ratios"]:
        ms = [m for m in metrics if m not in NOT_SCORED
              and any(res["ratios"][b].get(m) is not None for b in res["ratios"])]
        lines += ["## Ours relative to each baseline (ours / baseline)", "",
                  "Above 1 is better for quality metrics, below 1 is better for latency.", "",
                  table(["metric"] + list(res["ratios"]),
                         [[m] + [fmt_ratio(res["ratios"][b].get(m)) for b in res["ratios"]] for m in ms]), ""]
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
                rows.append([s, m, fmt(r["before"], m), fmt(r["now"], m),
                             f"{r['delta']:+.3f}" + (" ⚠" if r["regression"] else ""), str(c["n_common"])])
        lines += [table(["system", "metric", "before", "now", "delta", "n"], rows), ""]
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
               f"metrics do not apply; abstention is read from its text (`rag.markers.looks_like_abstention`)."
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
            rows.append([s, m, fmt(r["before"], m), fmt(r["now"], m), f"{r['delta']:+.3f}", str(c["n_common"])])
    return out + [table(["system", "metric", "5 articles", f"+ {nd} distractors", "delta", "n"], rows), ""]
