"""Answer -> plain dict / HTML, shared by the CLI's --json, the UI and the eval."""
from __future__ import annotations

from dataclasses import asdict

from .types import Answer


def answer_to_dict(ans: Answer) -> dict:
    return {
        "question": ans.question, "text": ans.text, "abstained": ans.abstained, "language": ans.language,
        "standalone_question": ans.standalone_question, "backend": ans.backend, "timings": ans.timings,
        "citations": [{"number": c.number, "sentence": c.sentence, "support": c.support,
                       "attached": c.attached, **asdict(c.passage)} for c in ans.citations],
        "passages": [asdict(p) for p in ans.passages],
    }
