"""Writes an evaluation result: JSON, a Markdown report with plots, and the change against the
previous stored run of the same mode (re-aggregated over the questions both runs share); and the
console table `rag eval` prints. The parts live in rag.evaluation.tables, .compare, .plots and
.markdown."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .compare import compare
from .markdown import markdown
from .plots import make_plots
from .tables import fmt, present_metrics, split_summary, splits


def console_table(res: dict) -> str:
    systems = list(res["systems"])
    out = []
    for split in [None] + splits(res):
        rows = [[m] + [fmt(split_summary(res, s, split).get(m), m) for s in systems] for m in present_metrics(res)]
        head = ["metric" if split is None else f"[{split}]"] + systems
        w = [max(len(x) for x in col) for col in zip(head, *rows)]
        line = lambda r: "  ".join(x.ljust(w[i]) for i, x in enumerate(r))  # noqa: E731
        out.append("\n".join([line(head), line(["-" * x for x in w])] + [line(r) for r in rows]))
    return "\n\n".join(out)


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
