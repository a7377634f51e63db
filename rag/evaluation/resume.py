"""Surviving a stopped `rag eval`: every finished question is appended to a checkpoint file that
a resumed run reads back, and SIGTERM is turned into the KeyboardInterrupt that Ctrl-C raises, so
a killed run still scores and writes the questions it finished. A full run takes hours on CPU."""
from __future__ import annotations

import json
from pathlib import Path


def on_sigterm():
    """Make SIGTERM stop the run like Ctrl-C; returns the old handler (None off the main thread,
    where Python does not allow signal handlers)."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def restore_sigterm(old) -> None:
    import signal
    import threading
    if old is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, old)


def save_partial(path: Path, scorer, qid: str) -> None:
    recs = {n: next(r for r in rs if r["id"] == qid) for n, rs in scorer.records.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": qid, "records": recs}, ensure_ascii=False) + "\n")


def load_partial(path: Path, scorer) -> set[str]:
    """Put the records of the questions a killed run finished back into `scorer`; their ids."""
    done: set[str] = set()
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:  # a line cut short by the kill
            continue
        if set(item["records"]) != set(scorer.records):
            continue  # other baselines: not comparable
        for n, r in item["records"].items():
            scorer.records[n].append(r)
        done.add(item["id"])
    return done
