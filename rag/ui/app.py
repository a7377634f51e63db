"""Gradio chat over the articles: streamed cited answers with a source panel, and an Articles tab
to upload, index and delete articles (their file handling: rag.ui.articles). `build_app` takes a
ready Pipeline so tests can pass one with stub models; `launch` is what `rag serve` and app.py call."""
from __future__ import annotations

import logging
import threading

import gradio as gr
import pandas as pd

from . import format as fmt
from ..config import Settings
from ..errors import RagError
from ..load import KINDS, SUPPORTED, is_url
from .articles import COLUMNS, article_rows, delete_file, ingest_uploads, store_uploads
from ..types import IngestReport

log = logging.getLogger(__name__)
EXAMPLES = ["What did China say about the deployment?",
            "Wie viele nordkoreanische Soldaten sind laut Seoul in Russland?",
            "Where were North Korean troops fighting?",
            "Was forderten die USA von China?"]
HISTORY_MESSAGES = 6  # the condense prompt only looks at the last few turns anyway
def build_app(pipe, settings: Settings | None = None) -> gr.Blocks:
    s = settings or pipe.s

    def chat(message, messages, turns, since="", until=""):
        messages, turns = list(messages or []), list(turns or [])
        try:
            stream = pipe.ask_stream(message, turns[-HISTORY_MESSAGES:], since=(since or "").strip() or None,
                                     until=(until or "").strip() or None)
        except RagError as e:  # a bad question: nothing was asked, keep the text for editing
            yield messages, gr.skip(), gr.skip(), fmt.message_html(str(e), "error"), turns, message
            return
        q = message.strip()
        messages += [{"role": "user", "content": fmt.esc(q)},
                     {"role": "assistant", "content": "<i>Searching the articles…</i>"}]
        yield messages, "", "", fmt.message_html("Searching the articles…"), turns, ""
        text = ""
        try:
            for piece in stream:
                text += piece
                messages[-1] = {"role": "assistant", "content": fmt.partial_html(text)}
                yield messages, gr.skip(), gr.skip(), fmt.message_html("Writing the answer…"), turns, ""
            ans = stream.answer
            docs = fmt.doc_texts(s.corpus_dir, [p.doc_id for p in ans.passages])
        except Exception as e:  # noqa: BLE001 - the user sees the reason, never a traceback
            if not isinstance(e, RagError):
                log.exception("answering failed")
            messages[-1] = {"role": "assistant", "content": fmt.message_html(str(e), "error")}
            yield messages, "", "", fmt.message_html(str(e), "error"), turns, ""
            return
        messages[-1] = {"role": "assistant", "content": fmt.answer_html(ans)}
        turns += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.text}]
        yield (messages, fmt.sources_html(ans, docs), fmt.uncited_html(ans, docs), fmt.status_html(ans),
               turns, "")

    def ask(question: str, history: list | None = None, since: str | None = None, until: str | None = None) -> dict:
        """Answer one question (history: earlier turns as {role, content} dicts) as a JSON dict;
        since/until (YYYY-MM-DD) limit it to articles published in that range."""
        try:
            return fmt.answer_to_dict(pipe.ask(question, list(history or [])[-HISTORY_MESSAGES:],
                                               since=since or None, until=until or None))
        except RagError as e:
            raise gr.Error(str(e)) from e

    def refresh():
        try:
            table, ids = article_rows(pipe)
            banner = ""
        except RagError as e:  # e.g. IndexLockedError: another process holds the local index
            table, ids, banner = pd.DataFrame(columns=COLUMNS), [], str(e)
        return table, gr.update(choices=ids, value=None), fmt.message_html(banner, "error") if banner else ""

    def upload(paths, progress=gr.Progress()):
        rep = IngestReport()
        stored, rejected = store_uploads([paths] if isinstance(paths, str) else list(paths or []), s)
        try:
            ingest_uploads(pipe, stored, s, rep, progress)
        except RagError as e:
            rejected["index"] = str(e)
        return (fmt.report_html(rep, rejected), None, *refresh()[:2])

    def add_url(url, progress=gr.Progress()):
        url = (url or "").strip()
        if not is_url(url):
            return fmt.message_html("Paste a web address starting with https:// or http://.", "error"), \
                gr.skip(), *refresh()[:2]
        try:
            rep = pipe.ingest(url, progress=lambda f, msg: progress(f, desc=msg))
        except RagError as e:
            return fmt.message_html(str(e), "error"), gr.skip(), *refresh()[:2]
        return fmt.report_html(rep), "" if not rep.failed else gr.skip(), *refresh()[:2]

    def delete(doc_id):
        try:
            if doc_id not in {a["doc_id"] for a in pipe.articles()}:
                return fmt.message_html("Pick an indexed article to delete.", "error"), *refresh()[:2]
            pipe.delete_article(doc_id)
        except RagError as e:
            return fmt.message_html(str(e), "error"), *refresh()[:2]
        delete_file(s, doc_id)
        return fmt.message_html(f"Deleted {doc_id} from the index and the corpus folder."), *refresh()[:2]

    with gr.Blocks(title="News Q&A", analytics_enabled=False) as app:
        gr.Markdown("## Ask the news articles\nAnswers come only from the indexed articles, with "
                    "numbered citations; click a number to see its source.")
        banner = gr.HTML(elem_id="banner", label="Banner")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        # no Markdown: a model echoing an article's ![](http://...) must not load
                        # images; the bubbles are escaped HTML built by rag.ui.format instead
                        chatbot = gr.Chatbot(elem_id="chat", label="Conversation", height=460,
                                             feedback_options=None, buttons=[], render_markdown=False)
                        question = gr.Textbox(elem_id="question", show_label=False, max_lines=4,
                                              placeholder="Ask in English or German, then press Enter")
                        with gr.Row():
                            send = gr.Button("Ask", variant="primary", elem_id="ask")
                            clear = gr.Button("New conversation", elem_id="clear")
                        with gr.Accordion("Only articles published between …", open=False):
                            with gr.Row():
                                since = gr.Textbox("", label="from (YYYY-MM-DD)", elem_id="since", max_lines=1)
                                until = gr.Textbox("", label="until (YYYY-MM-DD)", elem_id="until", max_lines=1)
                        status = gr.HTML(elem_id="status", label="Status")
                        gr.Examples(EXAMPLES, inputs=question, label="Example questions")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(elem_id="sources", label="Sources")
                        with gr.Accordion("Other evidence (shown to the model, not cited)", open=False):
                            others = gr.HTML(elem_id="others", label="Other evidence")
            with gr.Tab("Articles", id="articles"):
                files = gr.File(file_count="multiple", file_types=sorted(SUPPORTED), elem_id="files",
                                label=f"Upload articles ({KINDS}; up to {s.max_files_per_upload} "
                                      f"files of {s.max_upload_mb:g} MB)")
                add = gr.Button("Add to index", variant="primary", elem_id="add")
                with gr.Row():
                    url_box = gr.Textbox(label="… or fetch an article by its web address", elem_id="url",
                                         placeholder="https://www.dw.com/en/...", max_lines=1, scale=4)
                    fetch_btn = gr.Button("Fetch and add", elem_id="fetch", scale=1)
                report = gr.HTML(elem_id="report", label="Report")
                table = gr.Dataframe(elem_id="articles", interactive=False, label="Indexed articles",
                                     wrap=True, column_widths=["24%", "44%", "14%", "11%", "7%"])
                with gr.Row():
                    pick = gr.Dropdown(label="Article", choices=[], elem_id="pick", allow_custom_value=True)
                    remove = gr.Button("Delete from index and folder", variant="stop", elem_id="delete")

        gr.on([question.submit, send.click], chat, [question, chatbot, turns, since, until],
              [chatbot, sources, others, status, turns, question], api_name="chat",
              concurrency_id="pipeline", concurrency_limit=s.concurrency)
        clear.click(lambda: ([], "", "", "", []), None, [chatbot, sources, others, status, turns],
                    api_visibility="private")
        chatbot.clear(lambda: ("", "", "", []), None, [sources, others, status, turns],
                      api_visibility="private")  # the chat's own bin icon forgets the turns too
        gr.api(ask, api_name="ask", concurrency_id="pipeline", concurrency_limit=s.concurrency)
        add.click(upload, files, [report, files, table, pick], api_name="upload",
                  concurrency_id="pipeline", concurrency_limit=s.concurrency)
        remove.click(delete, pick, [report, table, pick], api_name="delete")
        gr.on([url_box.submit, fetch_btn.click], add_url, url_box, [report, url_box, table, pick],
              api_name="add_url", concurrency_id="pipeline", concurrency_limit=s.concurrency)
        app.load(refresh, None, [table, pick, banner], api_name="articles")
    return app


def serve(app: gr.Blocks, s: Settings, host: str | None = None, port: int | None = None,
          block: bool = True):
    """Queue (so extra users wait instead of failing) and start the server."""
    app.queue(default_concurrency_limit=s.concurrency, max_size=s.max_queue)
    return app.launch(server_name=host or s.host, server_port=port or s.port, css=fmt.CSS,
                      auth=(s.username, s.password) if s.password else None,
                      max_file_size=int(s.max_upload_mb * 1024 * 1024), prevent_thread_lock=not block,
                      quiet=not block, ssr_mode=False, show_error=True)


def _warm(pipe) -> None:
    """Load the models while the page opens, so the first question does not pay for it."""
    try:
        pipe.warm()
    except RagError as e:  # shown in the page's banner as well
        log.warning("%s", e)


def launch(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    from ..pipeline import Pipeline

    s = settings or Settings()
    pipe = Pipeline(s)
    threading.Thread(target=_warm, args=(pipe,), daemon=True).start()
    serve(build_app(pipe, s), s, host, port)
