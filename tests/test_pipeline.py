"""Pipeline logic with the hash embedder, in-memory Qdrant and a scripted LLM."""
import re

import pytest

from rag.errors import InputError
from rag.generate import ScriptedGenerator
from rag.lang import detect


@pytest.fixture
def pipe(hash_pipeline, hash_settings):
    hash_pipeline.ingest(hash_settings.corpus_dir)
    return hash_pipeline


@pytest.mark.parametrize("q,msg", [("", "type a question"), ("   \n", "type a question"),
                                   ("x" * 5000, "limit is 2,000"), ("\x01\x02\x03\x04", "does not look like text")])
def test_bad_questions_fail_before_any_work(pipe, q, msg):
    with pytest.raises(InputError, match=msg):
        pipe.ask(q)
    assert pipe.generator.calls == []


def test_language_detection():
    assert detect("What did China say about the deployment?") == "en"
    assert detect("Was sagte China zum Einsatz?") == "de"
    assert detect("Wie viele Soldaten sind in Kursk?") == "de"
    assert detect("Who is Lin Jian?") == "en"


def test_threshold_abstains_without_calling_the_llm(pipe):
    pipe.s.abstain_min_evidence = 9.0
    a = pipe.ask("Was ist die Hauptstadt von Australien?")
    assert a.abstained and a.text.startswith("Dazu steht nichts in den Artikeln.") and a.citations == []
    assert pipe.generator.calls == []
    assert pipe.ask("What is the capital of Australia?").text.startswith("The articles do not say.")


def test_uncited_answer_gets_the_supporting_passage_attached(pipe):
    pipe.generator.replies = ["Lin Jian sagte, die DVRK und Russland seien unabhängige souveräne Staaten."]
    a = pipe.ask("Was sagte Lin Jian?")
    assert not a.abstained and a.citations
    c = a.citations[0]
    assert c.attached and "Lin Jian" in c.quote and f"[{c.number}]" in a.text
    assert c.evidence in a.evidence and c.passage in a.passages
    src = (pipe.s.corpus_dir / c.doc_id).read_text(encoding="utf-8")
    assert src[c.start:c.end] == c.quote  # the citation points at the exact sentence of the article


def test_model_abstention_is_reported_as_abstained(pipe):
    pipe.generator.replies = ["The articles do not say."]
    a = pipe.ask("What did Lin Jian say?")
    assert a.abstained and a.citations == [] and a.text == "The articles do not say."
    assert pipe.generator.calls, "the threshold let it through, so the model was asked"


def test_prompt_numbers_evidence_sentences_and_names_the_language(pipe):
    pipe.generator.replies = ["ok"]
    a = pipe.ask("What did Lin Jian say?")
    system, user = pipe.generator.calls[-1]
    assert system["role"] == "system" and "Answer in English" in user["content"]
    assert "<sentences>" in user["content"] and "\n[1] " in user["content"]
    assert "What did Lin Jian say?" in user["content"]
    # the evidence is sentences, not passages: a small budget, each one numbered once
    assert 0 < sum(len(e.text) for e in a.evidence) <= pipe.s.evidence_chars * 1.5 + 400
    assert [e.number for e in a.evidence] == list(range(1, len(a.evidence) + 1))
    assert any("Lin Jian" in e.text for e in a.evidence)


def test_system_prompt_is_the_same_for_every_question(pipe):
    """llama.cpp serves the system prompt from its cache only when it is byte-identical."""
    pipe.generator.replies = ["ok"]
    pipe.ask("What did Lin Jian say?")
    pipe.ask("Was sagte Liu Pengyu?")
    assert pipe.generator.calls[-1][0] == pipe.generator.calls[-2][0]


def test_a_name_the_articles_lack_abstains_without_the_llm(pipe):
    a = pipe.ask("What did Olaf Scholz say about the North Korean soldiers?")
    assert a.abstained and pipe.generator.calls == []
    assert "Scholz" in a.text and a.missing


def test_an_invented_figure_is_dropped_and_a_wrong_citation_fixed(pipe):
    def reply(messages):
        lines = re.findall(r"^\[(\d+)\] (.*)$", messages[-1]["content"], re.M)
        right = next(n for n, t in lines if "11.000" in t)
        wrong = next((n for n, t in lines if "11.000" not in t), str(len(lines) + 1))  # or out of range
        return f"Seoul says 99,000 soldiers are in Russia [{right}]. Seoul puts the number at 11,000 [{wrong}]."
    pipe.generator.replies = reply
    # worded like the article: the hash embedder of these logic tests knows no synonyms
    a = pipe.ask("Laut Seoul sei die Anzahl der Soldaten gestiegen: auf wie viele?")
    assert "99,000" not in a.text and "11,000" in a.text
    assert [c.quote for c in a.citations] and all("11.000" in c.quote for c in a.citations)
    assert a.check["dropped"] == 1 and a.check["recited"] + a.check["attached"] == 1


def _follow_up(pipe, rewrite: str, question: str, first: str):
    """Asks `question` after `first` with a scripted model that rewrites it as `rewrite`."""
    pipe.generator.replies = lambda messages: (rewrite if "Rewritten question" in messages[-1]["content"]
                                               else "Laut Seoul sei die Anzahl auf 11.000 gestiegen [1].")
    hist = [{"role": "user", "content": first}, {"role": "assistant", "content": "8.000 [1]"}]
    return pipe.ask(question, history=hist), pipe.generator.calls[-1][1]["content"]


def test_follow_up_is_condensed_before_retrieval(pipe):
    a, asked = _follow_up(pipe, "Was sagte Seoul: auf wie viele ist die Anzahl gestiegen?", "Und Seoul?",
                          "Wie viele Soldaten nennen die USA?")
    assert a.standalone_question.startswith("Was sagte Seoul")
    assert "Und Seoul?" not in asked
    assert any("Laut Seoul" in p.text for p in a.passages)  # retrieval saw the rewritten question


def test_a_follow_up_rewritten_into_another_language_is_asked_in_the_users_words_too(pipe):
    _, asked = _follow_up(pipe, "What number of soldiers does Seoul give, in the articles about Russia?",
                          "Und welche Zahl nennt Seoul?", "Wie viele Soldaten nennen die USA in Russland?")
    assert "Question: Und welche Zahl nennt Seoul? (What number of soldiers does Seoul give" in asked
    assert "Answer in German" in asked


def test_stream_yields_pieces_then_holds_the_answer(pipe):
    pipe.generator.replies = ["Lin Jian sagte, die DVRK und Russland seien souveräne Staaten. [1]"]
    s = pipe.ask_stream("Was sagte Lin Jian?")
    pieces = list(s)
    assert len(pieces) > 3 and "".join(pieces).startswith("Lin Jian")
    assert s.answer is not None and s.answer.timings["total_s"] > 0
    t = s.answer.timings  # the user's wait for the first word includes search and evidence
    assert t["ttft_s"] <= t["first_word_s"] <= t["total_s"]
    assert t["first_word_s"] >= t["retrieve_s"] + t["select_s"] + t["ttft_s"]


def test_the_date_filter_reaches_the_evidence_and_the_prompt_names_site_and_date(pipe, tmp_path):
    folder = tmp_path / "dated"
    folder.mkdir()
    for name, day in (("a.md", "2020-01-19"), ("b.md", "2020-02-01")):
        (folder / name).write_text(f"---\ndate: {day}\nsource: Testblatt\n---\nDie Schleuse von "
                                   f"{name[0].upper()}-Dorf wurde eröffnet. Die Schleuse kostete viel Geld.",
                                   encoding="utf-8")
    pipe.ingest(folder)
    pipe.generator.replies = ["Die Schleuse wurde eröffnet [1]."]
    a = pipe.ask("Wann wurde die Schleuse eröffnet?", since="2020-01-20")
    assert [p.doc_id for p in a.passages] == ["b.md"]  # the corpus articles are undated: left out too
    assert a.evidence and {(e.doc_id, e.site, e.date) for e in a.evidence} == {("b.md", "Testblatt", "2020-02-01")}
    assert "(Testblatt, 2020-02-01)\n[1] " in pipe.generator.calls[-1][1]["content"]
    assert [c.passage.date for c in a.citations] == ["2020-02-01"]
    with pytest.raises(InputError, match="is after --until"):
        pipe.ask("Wann wurde die Schleuse eröffnet?", since="2020-02-01", until="2020-01-01")


def test_answers_without_sentence_vectors_are_a_clear_error(pipe):
    from rag.errors import RagError
    pipe.s.sentence_vectors = False
    with pytest.raises(RagError, match="RAG_SENTENCE_VECTORS=true"):
        pipe.ask("What did Lin Jian say?")
    assert pipe.generator.calls == []


def test_an_empty_index_is_an_error_not_an_answer(tmp_path):
    from conftest import make_settings
    from rag.errors import EmptyIndexError
    from rag.pipeline import Pipeline
    s = make_settings(tmp_path, embed_backend="hash", embed_dim=64, llm_backend="scripted")
    p = Pipeline(s, generator=ScriptedGenerator(["Kim [1]."]))
    with pytest.raises(EmptyIndexError, match=r"^No articles are indexed yet\. Run `rag ingest`") as e:
        p.ask("What did China say?")
    assert "earlier store" not in str(e.value)
    # after an upgrade the old local-mode index is still on disk: say how to get an index again
    p.store.close()
    (s.local_index_path / "collection" / s.collection).mkdir(parents=True)
    p = Pipeline(s, generator=ScriptedGenerator(["Lin Jian sagte das [1]."]))
    with pytest.raises(EmptyIndexError, match=r"An index of the earlier store is at .*qdrant.*RAG_STORE_BACKEND=qdrant-local"):
        p.ask("What did China say?")
    p.ingest()
    assert p.ask("What did Lin Jian say?").text  # indexed: answers again
    p.store.close()
