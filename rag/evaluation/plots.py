"""The report's bar charts (matplotlib, Agg backend: no display needed): retrieval, answers and
latency per system, and one metric by question type. Each returns False instead of drawing an
empty chart, so the report links only the plots that exist."""
from __future__ import annotations

from pathlib import Path

from .tables import ANSWER, LATENCY


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
    if ylabel:
        ax.set_ylabel(ylabel)
    return _finish(plt, fig, ax, path, title, [metrics[i] for i in metrics_ok], width, len(systems))


def _finish(plt, fig, ax, path: Path, title: str, labels: list[str], width: float, n_systems: int) -> bool:
    """Ticks under the middle of each group of bars, title, legend, written to path."""
    ax.set_xticks([k + width * (n_systems - 1) / 2 for k in range(len(labels))])
    ax.set_xticklabels(labels)
    ax.set_title(title)
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
    ax.set_ylim(0, 1.05)
    return _finish(plt, fig, ax, path, title, groups, width, len(systems))


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
        # seconds only: token counts and rates have their own scales (they are in the tables)
        ("latency", lambda p: _bars(p, "Latency", [m for m in LATENCY if m.endswith("_s")], res, systems,
                                    "seconds")),
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
