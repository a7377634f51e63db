"""Stage 6: prompt templates live as files in prompts/ and are rendered with a strict check:
a placeholder left unfilled, or a value given for no placeholder, is an error, not a silent gap."""
from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

from .types import Evidence, Passage


class PromptError(ValueError):
    pass


@lru_cache(maxsize=64)
def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def render(prompts_dir: Path, template_name: str, /, **values: str) -> str:
    path = Path(prompts_dir) / f"{template_name}.txt"
    if not path.is_file():
        raise PromptError(f"prompt template {path} is missing")
    template = _read(str(path))
    need = fields(template)
    missing, extra = need - values.keys(), values.keys() - need
    if missing or extra:
        raise PromptError(f"prompt {template_name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    # values are inserted verbatim: braces inside article text are not template syntax
    return template.format_map({k: str(v) for k, v in values.items()})


_TAG = re.compile(r"<\s*(/?)\s*(passages|sentences)\s*>", re.I)


def _fence(text: str) -> str:
    # an article cannot close the data block early by containing the tag, in any spelling
    return _TAG.sub(lambda m: f"<{m.group(1)} {m.group(2).lower()}>", text)


def source_label(p: Passage | Evidence) -> str:
    """Who published the evidence and when, e.g. "DW, 2020-01-19"; "" when neither is known."""
    return ", ".join(x for x in (p.site, p.date) if x)


def format_evidence(evidence: list[Evidence]) -> str:
    """Numbered sentences, one per line; a blank line between articles (the model can tell sources
    apart without spending tokens on titles). An article whose site or date is known opens with
    it once, e.g. "(DW, 2020-01-19)", so the model can say who reported what and when."""
    lines, last = [], None
    for e in evidence:
        if e.doc_id != last:
            if last is not None:
                lines.append("")
            label = source_label(e)
            if label:
                lines.append(f"({_fence(label)})")
        lines.append(f"[{e.number}] {_fence(' '.join(e.text.split()))}")
        last = e.doc_id
    return "\n".join(lines)


def format_history(history: list[dict[str, str]], max_turns: int = 6) -> str:
    lines = []
    for turn in history[-max_turns:]:
        who = "User" if turn.get("role") == "user" else "Assistant"
        lines.append(f"{who}: {turn.get('content', '')[:600]}")
    return "\n".join(lines)
