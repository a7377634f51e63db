"""A run against an earlier one: the previous stored run of the same mode (`compare`, shown as
"Change against the previous run") and, for a run among distractors, the last 5-article run
(`compare_beside`). Both re-aggregate over the questions the two runs share, so a run on a subset or a
changed question file still compares like with like."""
from __future__ import annotations

import json
from pathlib import Path

from .metrics import LOWER_IS_BETTER, summarize
from .tables import ANSWER, LATENCY, NOT_SCORED, RETRIEVAL

REGRESSION_ABS = 0.02  # a quality metric this much lower than last time is flagged
REGRESSION_REL_LATENCY = 0.25  # latency this much higher (and > 50 ms) is flagged


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


def compare_beside(result: dict, folder: Path) -> dict | None:
    """This run against the last 5-article run of the same mode in `folder`, over shared questions."""
    path = folder / f"{result['mode']}.json"
    try:
        prev = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if prev.get("distractors"):
        return None
    cmp_ = compare(result, prev)
    if cmp_:
        cmp_["path"] = str(path)
    return cmp_
