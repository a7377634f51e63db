"""rag.quotes: the pipeline's own quoting of evidence sentences."""
from rag.quotes import quote
from rag.types import Evidence


def E(text):
    return Evidence(number=1, doc_id="a", title="A", text=text, start=0, end=len(text), score=1.0, chunk_id="a#0")


def test_a_quote_inside_the_quoted_sentence_becomes_the_inner_one():
    assert quote(E("„Wir prüfen alles“, sagte sie.")) == "„‚Wir prüfen alles‘, sagte sie.“"
    # English curly quotes pair up too (“ opens there, where it closes in German)
    assert quote(E("“We are examining it,” she said.")) == "„‘We are examining it,’ she said.“"
    assert quote(E("Ein Satz [3] ohne Zitat.")) == "„Ein Satz ohne Zitat.“"
