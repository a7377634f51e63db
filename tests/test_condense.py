"""Follow-up rewriting: which rewrites the small model returns are used, and the fallback."""
from __future__ import annotations

from rag.condense import condense, keeps_keys, usable
from rag.config import ROOT

HIST = [{"role": "user", "content": "Wer ist Dennis Wilder?"},
        {"role": "assistant", "content": "Senior Fellow an der Georgetown University [1]."}]


def test_a_name_may_come_back_in_another_spelling_but_not_be_dropped():
    q = "Und wie bewertete er Pekings Reaktion?"
    assert keeps_keys(q, "How did Dennis Wilder judge Beijing's reaction?", "de")
    assert keeps_keys(q, "Wie bewertete Dennis Wilder die Reaktion Pekings?", "de")
    assert not keeps_keys(q, "Wer ist Dennis Wilder?", "de")
    assert not keeps_keys("Und laut Seoul, 11.000?", "Und laut Südkorea?", "de")  # the number is lost


def test_a_rewrite_that_adds_nothing_or_answers_is_not_used():
    q, hist = "And what did Seoul say?", "How many North Korean soldiers are in Russia according to the US?"
    assert not usable(q, "What did Seoul say?", "en", hist)  # no context carried over
    assert not usable(q, "Seoul said " + "the number of soldiers rose to 11,000. " * 20, "en", hist)
    assert not usable(q, "What did the US say about North Korean soldiers?", "en", hist)  # Seoul lost
    assert usable(q, "What did Seoul say about the number of North Korean soldiers in Russia?", "en", hist)


def _complete(reply):
    calls = []

    def complete(messages, max_tokens):
        calls.append(messages[-1]["content"])
        return reply
    return complete, calls


def test_condense_uses_a_good_rewrite_and_falls_back_to_the_last_turn_otherwise():
    q = "Und wie bewertete er Pekings Reaktion?"
    good, calls = _complete('"Wie bewertete Dennis Wilder Pekings Reaktion?"\nmore text')
    assert condense(good, ROOT / "prompts", q, HIST, "de", 64) == "Wie bewertete Dennis Wilder Pekings Reaktion?"
    # the real conversation comes after the prompt's examples, last
    assert calls[0].rsplit("Last question:", 1)[1].strip().startswith(q)
    bad, _ = _complete("Dennis Wilder ist Senior Fellow.")
    assert condense(bad, ROOT / "prompts", q, HIST, "de", 64) == f"Wer ist Dennis Wilder? {q}"
    none, calls = _complete("unused")
    assert condense(none, ROOT / "prompts", q, [], "de", 64) == q and not calls


def test_the_earlier_question_again_is_not_a_rewrite_of_the_follow_up():
    from rag.condense import keeps_content
    q = "Und wozu ist Seoul laut ihm bereit?"
    assert not keeps_content(q, "Was sagte der südkoreanische Außenminister Cho Tae-yul zur Stationierung?", "de")
    assert keeps_content(q, "Wozu ist Seoul laut Außenminister Cho Tae-yul bereit?", "de")
    assert keeps_content("Und was sieht dieser Vertrag vor?", "Was sieht der Vertrag von Putin und Kim vor?", "de")


def test_a_rewrite_into_another_language_must_at_least_be_longer():
    hist = "Wie viele nordkoreanische Soldaten sind laut den USA in Russland? Und laut Seoul?"
    q = "Und was schätzt die Ukraine?"
    assert usable(q, "What does Ukraine estimate the number of North Korean soldiers to be?", "de", hist)
    assert not usable(q, "What does Ukraine estimate?", "de", hist)
