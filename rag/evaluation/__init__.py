"""The evaluation suite: runner (`rag eval`), metrics, baselines and the report."""
