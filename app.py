"""Entry point for `python app.py` (and hosts that look for app.py): settings from RAG_* variables,
then the Gradio chat from rag.ui.app. `rag serve` does the same."""
from rag.config import Settings
from rag.ui.app import launch

if __name__ == "__main__":
    launch(Settings())
