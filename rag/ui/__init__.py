"""The Gradio chat (app) and the HTML it shows (format)."""
