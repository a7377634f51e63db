"""What a run records about where it ran: the code's revision (dirty when rag/ or prompts/ were
edited) and the machine's load, since other work on a 2-core machine skews every timing."""
from __future__ import annotations

import os
import subprocess

from ..config import ROOT


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "rag", "prompts"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + ("+dirty" if dirty else "") if rev else "unknown"
    except Exception:  # no git: the result is still valid
        return "unknown"


def load_avg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)  # other work on the machine skews latencies
    except (OSError, AttributeError):
        return None
