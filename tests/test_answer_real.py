"""End-to-end answers: real EmbeddingGemma, real Qdrant (local, in memory), real Qwen2.5-1.5B in
llama.cpp, real corpus. Assertions are about facts and citations, not exact wording."""
import re

import pytest

from rag.config import ROOT
from rag.lang import detect
from rag.load import load_file

CORPUS = ROOT / "corpus"

pytestmark = pytest.mark.slow


def _check_citations(a):
    assert a.citations, a.text
    for c in a.citations:
        assert c.evidence in a.evidence and f"[{c.number}]" in a.text
        # the citation is the article's own sentence, at its exact offsets
        text = load_file(CORPUS / c.doc_id, CORPUS).text  # offsets index the loader's text
        assert text[c.start:c.end] == c.quote and len(c.quote) <= len(c.passage.text)
    for n in re.findall(r"\[(\d+)\]", a.text):
        assert 1 <= int(n) <= len(a.evidence)


def test_china_question_gets_lin_jian_and_the_no_information_statement_each_cited(real_pipeline):
    """The design card's question: what China said is in two articles and two statements."""
    a = real_pipeline.ask("What did China say about the deployment?")
    assert not a.abstained, a.text
    _check_citations(a)
    assert re.search(r"Lin Jian", a.text), a.text
    assert re.search(r"no information|not have any information|keine Informationen", a.text, re.I), a.text
    quotes = {c.number: c.quote for c in a.citations}
    lin = [n for n, q in quotes.items() if "Lin Jian" in q or "ihnen überlassen" in q or "souveräne" in q]
    info = [n for n, q in quotes.items() if "keine Informationen" in q]
    assert lin and info and not set(lin) & set(info), quotes  # each statement cited to its own sentence
    # and each of those answer sentences cites that sentence
    for sentence in re.split(r"(?<=\])\s+", a.text):
        if "Lin Jian" in sentence:
            assert any(f"[{n}]" in sentence for n in lin), sentence
        if re.search(r"no information|keine Informationen", sentence, re.I):
            assert any(f"[{n}]" in sentence for n in info), sentence


@pytest.mark.parametrize("question,lang,facts,doc", [
    ("What did China say about the deployment?", "en", [r"China|Beijing|Chinese"], None),
    ("Wie viele nordkoreanische Soldaten sind laut Seoul in Russland?", "de", [r"11[.,]?000"], "004_b5cd0ec42f605d15.txt"),
    ("According to the Biden administration, how many North Korean soldiers are near the Ukrainian border?", "en",
     [r"8[.,]?000"], None),
    ("Who is Kris Osborn?", "en", [r"Warrior Maven|Pentagon"], "002_b07574c5792002aa.txt"),
    ("Wann unterzeichneten Putin und Kim Jong Un ihren Vertrag?", "de", [r"19\.? Juni"], "001_4d560e9d65afaa3b.txt"),
])
def test_real_questions_get_cited_answers_in_the_question_language(real_pipeline, question, lang, facts, doc):
    a = real_pipeline.ask(question)
    assert not a.abstained, a.text
    _check_citations(a)
    for f in facts:
        assert re.search(f, a.text), a.text
    assert detect(a.text) == lang, a.text
    if doc:
        assert doc in {c.doc_id for c in a.citations}


def test_off_topic_question_abstains_without_the_llm(real_pipeline):
    a = real_pipeline.ask("What is the capital of Australia?")
    assert a.abstained and a.text.startswith("The articles do not say.") and not a.citations
    assert "ttft_s" not in a.timings


@pytest.mark.parametrize("question", ["How many tanks has North Korea sent to Russia?",
                                      "What is the population of the Kursk region?",
                                      "Wie viele nordkoreanische Soldaten wurden bisher verwundet?",
                                      "Wie viele Kilometer ist Kursk von Moskau entfernt?",
                                      "Welche Partei führt Olena Prokopenko?",
                                      "How much does North Korea receive from Russia for each soldier?"])
def test_a_thing_the_articles_never_report_abstains_without_the_llm(real_pipeline, question):
    """Each article gives counts of soldiers in Kursk; none counts tanks, wounded or inhabitants,
    gives a distance to Moscow (only Kursk's to the Ukrainian border), a party or a payment."""
    a = real_pipeline.ask(question)
    assert a.abstained and a.missing and not a.citations, a.text
    assert "ttft_s" not in a.timings


def test_what_a_person_said_is_not_answered_from_a_sentence_that_only_names_him(real_pipeline):
    """The articles name Kim Jong Un once, signing the treaty with Putin; they quote nothing he said."""
    a = real_pipeline.ask("What did Kim Jong Un say about sending the troops to Russia?")
    assert a.abstained or a.check.get("fallback"), a.text
    assert not re.search(r"Kim Jong Un (said|says|stated)", a.text), a.text


def test_a_question_for_a_name_the_articles_never_give_is_not_answered_with_a_title(real_pipeline):
    """'Ein NATO-Beamter teilte CNN mit …': the official is never named."""
    a = real_pipeline.ask("Wie heißt der NATO-Beamte, der mit CNN gesprochen hat?")
    assert a.abstained or a.check.get("fallback"), a.text


def test_who_someone_is_is_answered_with_the_role_the_articles_give(real_pipeline):
    """'… obwohl sein neu ernannter nationaler Sicherheitsberater Mike Waltz sagte, …': the model
    tends to give what he said; the sentence that says what he is must be in the answer."""
    a = real_pipeline.ask("Wer ist Mike Waltz?")
    assert not a.abstained and "Sicherheitsberater" in a.text, a.text


def test_follow_up_is_rewritten_and_answered(real_pipeline):
    hist = [{"role": "user", "content": "How many North Korean soldiers does the US say are in Russia?"},
            {"role": "assistant", "content": "About 8,000 near the Ukrainian border [1]."}]
    a = real_pipeline.ask("And what number does Seoul give?", history=hist)
    assert "Seoul" in a.standalone_question
    assert not a.abstained and re.search(r"11[.,]?000", a.text), a.text
    _check_citations(a)


def test_stream_yields_text_before_the_end(real_pipeline):
    s = real_pipeline.ask_stream("Who is Mark Rutte?")
    pieces = list(s)
    assert len(pieces) > 3
    assert s.answer.timings["ttft_s"] < s.answer.timings["generate_s"]
