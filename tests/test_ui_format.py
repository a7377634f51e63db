"""Answer -> HTML helpers, with hand-built answers: escaping, marker links, highlight offsets."""
from __future__ import annotations

import re

from rag.ui import format as fmt
from rag.load import load_file
from rag.types import Answer, Citation, IngestReport, Passage

EVIL = ('Breaking <script>alert("x")</script> news. <img src=x onerror="alert(1)"> '
        'China said it was their own affair.')


def passage(text: str, doc: str = "a.txt", start: int = 0, number: int = 1, title: str = "T") -> Passage:
    return Passage(chunk_id=f"{doc}#{number}", doc_id=doc, title=title, text=text, start=start,
                   end=start + len(text), score=1.0, number=number)


def answer(text: str, cited: list[Passage], uncited: list[Passage] = (), **kw) -> Answer:
    cites = [Citation(number=p.number, passage=p, sentence=f"claim {p.number}", support=0.8) for p in cited]
    return Answer(question="q", text=text, citations=cites, passages=[*cited, *uncited], **kw)


def no_live_markup(html: str) -> None:
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert not re.search(r"<[^>]*\bonerror\s*=", html, re.I)


def test_article_markup_is_escaped_in_source_cards():
    p = passage(EVIL, title='<img src=x onerror="alert(2)">Title')
    ans = answer("It was their affair [1].", [p])
    for html in (fmt.sources_html(ans, {"a.txt": EVIL}), fmt.sources_html(ans, {}),
                 fmt.uncited_html(answer("x", [], [p]), {"a.txt": "pre " + EVIL})):
        no_live_markup(html)
        assert "&lt;script&gt;" in html and "&lt;img" in html


def test_answer_text_is_escaped_and_markers_become_links():
    ans = answer('He said <script>x</script> "no" [1]. Also [2, 3].', [passage("a", number=1),
                                                                       passage("b", number=2)])
    html = fmt.answer_html(ans)
    no_live_markup(html)
    assert "&lt;script&gt;" in html and "&quot;no&quot;" in html
    assert '<a class="cite" href="#src-1">[1]</a>' in html
    assert '<a class="cite" href="#src-2">[2]</a>' in html
    assert "[3]" in html and 'href="#src-3"' not in html  # no source card for 3: no dead link


def test_partial_text_is_escaped():
    html = fmt.partial_html("<img src=x onerror=alert(1)> [1")
    no_live_markup(html)
    assert "&lt;img" in html


def test_highlight_marks_exact_offsets_in_context():
    doc = "Intro sentence here. " * 30 + "THE CITED SPAN." + " Later words follow." * 30
    start = doc.index("THE CITED")
    p = passage("THE CITED SPAN.", start=start)
    html = fmt.highlight(doc, p, window=50)
    assert "<mark>THE CITED SPAN.</mark>" in html
    before, after = html.split("<mark>")[0], html.split("</mark>")[1]
    assert before.startswith("… ") and after.endswith(" …")
    assert 40 <= len(before) <= 60 and 40 <= len(after) <= 60
    assert before[2:] in doc and after[:-2] in doc  # the window is a real slice of the article
    # whole article shown without ellipses when it is short
    assert fmt.highlight("a THE CITED SPAN. b", passage("THE CITED SPAN.", start=2)) == \
        "a <mark>THE CITED SPAN.</mark> b"


def test_highlight_falls_back_when_offsets_do_not_match():
    p = passage("passage text", start=5)
    assert fmt.highlight("something else entirely", p) == "<mark>passage text</mark>"
    assert fmt.highlight(None, p) == "<mark>passage text</mark>"


def test_source_cards_have_anchors_in_citation_order():
    p1, p2, p3 = passage("one", number=1), passage("two", "b.txt", number=2), passage("three", number=3)
    ans = answer("x [2]. y [1].", [p2, p1], [p3])
    html = fmt.sources_html(ans, {})
    assert html.index('id="src-2"') < html.index('id="src-1"') and 'id="src-3"' not in html
    assert "claim 2" in html and "support 0.80" in html and "b.txt" in html
    others = fmt.uncited_html(ans, {})
    assert 'id="src-3"' in others and "src-1" not in others


def test_a_cited_sentence_is_marked_inside_its_passage_and_article():
    from rag.types import Citation, Evidence
    doc = "Vorher. Das Ministerium schwieg. „Das bleibt ihnen überlassen“, sagte Lin Jian. Danach."
    p = passage(doc[8:80], start=8, number=1)
    a, b = doc.index("„"), doc.index(" Danach")
    ev = Evidence(number=4, doc_id="a.txt", title="T", text=doc[a:b], start=a, end=b, score=0.7, chunk_id=p.chunk_id)
    ans = answer("Lin Jian said it is up to them [4].", [], [p])
    ans.citations = [Citation(number=4, passage=p, sentence="Lin Jian said it is up to them.", support=0.7,
                              evidence=ev)]
    for docs in ({"a.txt": doc}, {}):  # with the article file, and without (an article from a URL)
        html = fmt.sources_html(ans, docs)
        assert 'id="src-4"' in html and f"characters {a}–{b}" in html
        assert f"<mark>{fmt.esc(doc[a:b])}</mark>" in html and "Das Ministerium schwieg." in html


def test_abstained_answer_is_clearly_marked():
    ans = answer("The articles do not say.", [], [passage("near miss")], abstained=True, backend="")
    assert 'class="abstain"' in fmt.answer_html(ans) and "Not in the articles" in fmt.answer_html(ans)
    assert "No sentence of the articles supports" in fmt.sources_html(ans, {})
    status = fmt.status_html(ans)
    assert "not in the articles" in status and "No model call" in status


def test_status_names_backend_and_timings():
    ans = answer("x [1].", [passage("p")], backend="llama.cpp:qwen<1>",
                 timings={"total_s": 21.04, "ttft_s": 3.5, "retrieve_s": 0.21})
    html = fmt.status_html(ans)
    assert "llama.cpp:qwen&lt;1&gt;" in html and "total 21.0s" in html and "first token 3.5s" in html


def test_report_lists_each_problem_escaped():
    rep = IngestReport(added=["a.txt"], failed={"<b>.txt": "no text"}, duplicates={"c.txt": "a.txt"})
    html = fmt.report_html(rep, {"x.exe": "unsupported type"})
    assert "1 added" in html and "&lt;b&gt;.txt" in html and "x.exe" in html and "same text as a.txt" in html


def test_doc_texts_give_normalized_text_and_stay_inside_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.html").write_text("<html><head><title>T</title></head><body><p>One   two.</p>"
                                   "<p>Three&nbsp;four.</p></body></html>")
    (tmp_path / "secret.txt").write_text("outside")
    docs = fmt.doc_texts(corpus, ["a.html", "../secret.txt", "missing.txt"])
    assert docs["a.html"] == load_file(corpus / "a.html", corpus).text
    assert "One two." in docs["a.html"]
    assert docs["../secret.txt"] is None and docs["missing.txt"] is None


def test_markdown_in_answers_stays_literal_and_lines_break():
    # the chat renders these bubbles as HTML without Markdown, so ![](...) cannot become an image
    html = fmt.answer_html(answer("![x](http://evil.example/p.png) one\ntwo [1].", [passage("p")]))
    assert "<img" not in html and "![x](http://evil.example/p.png)" in html and "one<br>two" in html


def test_source_card_shows_site_and_date_and_links_only_http():
    from rag.ui.format import source_card
    p = Passage(chunk_id="c", doc_id="dw.html", title="Uncork", text="Ahr.", start=0, end=4, score=1.0,
                number=1, site="DW", date="2013-06-10", url="https://www.dw.com/en/a-16863843")
    card = source_card(p, None)
    assert '<div class="origin"><a href="https://www.dw.com/en/a-16863843"' in card and "DW</a> · 10 Jun 2013" in card
    evil = Passage(**{**p.__dict__, "site": "<b>x</b>", "url": "javascript:alert(1)", "date": ""})
    card = source_card(evil, None)
    assert "javascript:" not in card and "&lt;b&gt;x&lt;/b&gt;" in card and "<a href" not in card
    assert 'class="origin"' not in source_card(Passage(**{**p.__dict__, "site": "", "date": "", "url": ""}), None)
