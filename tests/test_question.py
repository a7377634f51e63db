"""rag.question.parts: the further things a question asks, each with words enough to search for."""
import pytest

from rag.question import parts


@pytest.mark.parametrize("question,expected", [
    ("Was berichtete die Washington Post über ein Telefonat zwischen Trump und Putin, und wie reagierte der Kreml?",
     ["wie reagierte der Kreml?"]),
    ("When did the treaty pass, and what did Seoul say?", ["what did Seoul say?"]),
    # a part that refers back means nothing searched alone
    ("When did Ukraine launch its incursion into Kursk, and what did it capture?", []),
    ("How many troops are in Kursk and how many of them are North Korean?", []),
    ("Wann wurde der Vertrag unterzeichnet, und was sieht dieser Vertrag vor?", []),
    ("In welchen Artikeln werden Kommunikationsprobleme erwähnt, und von wem?", []),  # too short to search for
    ("Wo und wann fand der Angriff statt?", []),  # "Wo": no first part of its own
    ("What did China and Russia say?", []),  # "and" between names, not a second question
    ("Was sagten Kim und Putin?", []),
])
def test_a_question_is_split_where_it_asks_a_second_thing(question, expected):
    assert parts(question) == expected
