"""Articles by URL from a real HTTP server on loopback: fetched and indexed with the URL as source;
private, loopback and link-local addresses refused (also behind a redirect) unless allowed; the
same page by file and by URL indexed once; the article date filter at retrieval."""
from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.load import load_url, url_doc_id
from rag.load.fetch import fetch

WEB = Path(__file__).parent / "fixtures" / "web"


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
            self.end_headers()
            return
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>" + b"x" * 3_000_000)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(WEB)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def url_settings(hash_settings):
    # only the test server's own host is trusted; every other private address stays refused
    return hash_settings.model_copy(update={"fetch_allowed_hosts": ["127.0.0.1"]})


def test_url_is_fetched_and_indexed_with_its_url_as_source(server, url_settings, hash_pipeline):
    hash_pipeline.s = url_settings
    url = f"{server}/dw.com.uncork.html"
    rep = hash_pipeline.ingest(url)
    assert rep.added == [url_doc_id(url)] and not rep.failed
    st = hash_pipeline.store.doc_states()[url_doc_id(url)]
    assert st["source"] == url and st["site"] == "DW.COM"
    hits = hash_pipeline.retrieve("Frühburgunder Ahr Valley wine")
    assert hits[0].source == url and "Ahr Valley" in hits[0].text
    assert hits[0].url == "https://www.dw.com/en/uncork-the-mystery-of-germanys-fr%C3%BChburgunder/a-16863843"


def test_loopback_is_refused_unless_allowed(server, hash_settings):
    with pytest.raises(InputError, match=r"refused, the address 127\.0\.0\.1 is private, loopback or link-local"):
        load_url(f"{server}/dw.com.uncork.html", hash_settings)
    allowed = hash_settings.model_copy(update={"fetch_allow_private": True})
    assert "Ahr Valley" in load_url(f"{server}/dw.com.uncork.html", allowed).text


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/",
                                    "http://[::1]/", "http://2130706433/", "http://localhost:9/"])
def test_redirect_to_a_private_address_is_refused(server, url_settings, target):
    with pytest.raises(InputError, match="is private, loopback or link-local"):
        load_url(f"{server}/redirect?to={target}", url_settings)


def test_only_http_and_https(url_settings):
    for url in ("file:///etc/passwd", "ftp://example.org/a.html", "gopher://x/"):
        with pytest.raises(InputError, match="only http:// and https://"):
            load_url(url, url_settings)


def test_size_cap_and_missing_page(server):
    with pytest.raises(InputError, match=r"more than 1 MB; not fetched"):
        fetch(f"{server}/big", max_mb=1, allowed_hosts=["127.0.0.1"])
    with pytest.raises(InputError, match=r"the server answered 404"):
        fetch(f"{server}/nothing-here.html", allowed_hosts=["127.0.0.1"])


def test_same_page_by_file_and_by_url_is_indexed_once(server, url_settings, hash_pipeline, tmp_path):
    hash_pipeline.s = url_settings
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(WEB / "reuters.com.parasite.html", folder)
    assert hash_pipeline.ingest(folder).added == ["reuters.com.parasite.html"]
    url = f"{server}/reuters.com.parasite.html"
    rep = hash_pipeline.ingest(url)
    assert rep.duplicates == {url_doc_id(url): "reuters.com.parasite.html"} and not rep.added
    # the other way round, and a folder sync later does not remove the URL's article
    hash_pipeline.delete_article("reuters.com.parasite.html")
    assert hash_pipeline.ingest(url).added == [url_doc_id(url)]
    rep = hash_pipeline.ingest(folder)
    assert rep.duplicates == {"reuters.com.parasite.html": url_doc_id(url)}
    assert url_doc_id(url) in hash_pipeline.store.doc_states() and not rep.removed


def test_bad_url_is_reported_not_raised(hash_pipeline):
    rep = hash_pipeline.ingest("http://10.0.0.1/intern.html")
    assert "private, loopback or link-local" in rep.failed["http://10.0.0.1/intern.html"]


def test_date_filter(hash_pipeline, tmp_path):
    folder = tmp_path / "dated"
    folder.mkdir()
    for name, day in (("a.md", "2020-01-19"), ("b.md", "2020-01-20"), ("c.md", "2020-02-01"), ("d.md", "")):
        meta = f"---\ndate: {day}\nsource: Testblatt\n---\n" if day else ""
        (folder / name).write_text(f"{meta}Die Schleuse von {name[0].upper()}-Dorf wurde eröffnet. "
                                   f"Die Schleuse kostete viel Geld.", encoding="utf-8")
    hash_pipeline.ingest(folder)
    q = "Schleuse eröffnet"

    def docs(**kw):
        return sorted({p.doc_id for p in hash_pipeline.retrieve(q, top_k=10, **kw)})
    assert docs() == ["a.md", "b.md", "c.md", "d.md"]
    assert docs(since="2020-01-20") == ["b.md", "c.md"]
    assert docs(until="2020-01-20") == ["a.md", "b.md"]
    assert docs(since="2020-01-20", until="2020-01-20") == ["b.md"]
    assert docs(since="2021-01-01") == []
    # the lexical ranking alone honours the same filter, and passages carry date and site
    from rag.retrieve import HybridRetriever
    lexical = HybridRetriever(hash_pipeline.store, hash_pipeline.embedder, hash_pipeline.s, mode="lexical")
    got = lexical.retrieve(q, 10, since="2020-01-20", until="2020-01-31")
    assert [(p.doc_id, p.date, p.site) for p in got] == [("b.md", "2020-01-20", "Testblatt")]
    with pytest.raises(InputError, match="is after --until"):
        hash_pipeline.retrieve(q, since="2020-02-01", until="2020-01-01")
    with pytest.raises(InputError, match="not a date"):
        hash_pipeline.retrieve(q, since="last week")
