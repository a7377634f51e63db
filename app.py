"""Entry point for `python app.py` (and hosts that look for app.py): settings from RAG_* variables,
then the Gradio chat from rag.ui.app. `rag serve` does the same."""
import sys

from rag.config import load_settings
from rag.errors import RagError
from rag.ui.app import launch

if __name__ == "__main__":
    try:
        settings = load_settings()
    except RagError as e:
        sys.exit(f"error: {e}")
    launch(settings)
