"""Language detection decides the answer's language and the abstention text."""
import json

import pytest

from rag.config import ROOT
from rag.lang import abstain_text, detect

QUESTIONS = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if line]


@pytest.mark.parametrize("q", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_every_eval_question_is_detected_in_its_language(q):
    assert detect(q["question"]) == q["lang"]


@pytest.mark.parametrize("text,want", [
    # no umlaut and no question word: once answered in English (eval q066)
    ("Wird Washington voraussichtlich sein Veto gegen ukrainische Langstreckenangriffe tief in Russland aufheben?", "de"),
    ("Hat Kim Jong Un Truppen geschickt?", "de"),
    ("Will Washington lift its veto on long-range strikes?", "en"),
    ("Kursk", "en"),  # nothing to go on: the default
    ("Was sagte Lin Jian?", "de"),
])
def test_short_and_umlaut_free_questions(text, want):
    assert detect(text) == want


def test_abstention_text_follows_the_language():
    assert abstain_text("de") == "Dazu steht nichts in den Artikeln." and abstain_text("xx") == abstain_text("en")


def test_the_abstention_names_terms_that_never_stand_together():
    assert abstain_text("de", ["Lawrow + nordkoreanische"]).endswith(
        "Keiner der gefundenen Sätze erwähnt „Lawrow“ zusammen mit „nordkoreanische“.")
    assert abstain_text("en", ["Japan", "Scholz + Kursk + Seoul"]).endswith(
        'mentions "Japan", "Scholz" together with "Kursk" and "Seoul".')


def test_the_language_of_a_longer_answer_is_read_from_its_function_words():
    from rag.lang import dominant
    assert dominant("The troops moved from Pjöngjang to Kursk, according to the ministry.") == "en"
    assert dominant("Die Truppen wurden laut dem Ministerium nach Kursk verlegt.", "en") == "de"
    assert dominant("Kursk 11.000", "de") == "de"  # nothing to go by: the default
