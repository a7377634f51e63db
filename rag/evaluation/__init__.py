"""The evaluation suite: runner (`rag eval`), questions, scoring, metrics, baselines and the report."""
