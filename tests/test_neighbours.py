"""What a chosen sentence brings along: its pronoun's antecedent, its quote's speaker, and the same
speaker's next statement across a photo caption."""
from dataclasses import dataclass

from rag.neighbours import neighbours


@dataclass
class S:
    text: str
    start: int = 0
    end: int = 0
    doc_id: str = "d"


def article(*texts):
    out, pos = [], 0
    for t in texts:
        out.append(S(t, pos, pos + len(t)))
        pos += len(t) + 1
    return out


def test_the_same_speakers_next_statement_comes_along_across_a_photo_caption():
    seq = article('Der Außenminister Cho Tae-yul verurteilte die Stationierung "auf das Schärfste".',
                  "Die Folgen eines Angriffs in Charkiw am 30. Oktober 2024",
                  "Die Folgen eines Angriffs - Andrii Marienko/Copyright 2024 The AP.",
                  "All rights reserved",
                  'Seoul sei bereit, "die notwendigen Maßnahmen zu ergreifen", sagte er.')
    assert neighbours(seq[0], {"d": seq}, statements=True) == [seq[4]]
    assert neighbours(seq[0], {"d": seq}) == []  # only asked for when the question asks what was said


def test_a_next_sentence_with_its_own_speaker_or_far_away_is_not_taken():
    seq = article("Cho Tae-yul verurteilte die Stationierung.", "Blinken sagte, die USA seien besorgt.",
                  "Die Lage sei ernst, sagte er.")
    assert neighbours(seq[0], {"d": seq}, statements=True) == []
    far = article("Cho Tae-yul verurteilte die Stationierung.", "Bildtext " * 50, "Das sei ernst, sagte er.")
    assert neighbours(far[0], {"d": far}, statements=True) == []


def test_a_pronoun_brings_the_sentence_before_and_an_announced_quote_the_one_after():
    seq = article("Lin Jian äußerte sich am Dienstag.", "Er sagte, das bleibe ihnen überlassen.")
    assert neighbours(seq[1], {"d": seq}) == [seq[0]]
    seq = article("Der Sprecher erklärte:", "„Wir haben keine Informationen.“")
    assert neighbours(seq[0], {"d": seq}) == [seq[1]]


def test_a_statement_given_to_a_pronoun_brings_the_sentence_that_names_the_speaker():
    seq = article("„Einige der Herausforderungen sind Interoperabilität und Sprachbarriere“, sagte Patel.",
                  "„Die Vereinigten Staaten beraten sich eng mit unseren Verbündeten“, fügte er hinzu.")
    assert neighbours(seq[1], {"d": seq}) == [seq[0]]
    # across a photo caption and its credit, as the next statement is found
    seq = article('Der Außenminister Cho Tae-yul verurteilte die Stationierung "auf das Schärfste".',
                  "Die Folgen eines Angriffs - Andrii Marienko/Copyright 2024 The AP.",
                  "All rights reserved",
                  'Seoul sei bereit, "die notwendigen Maßnahmen zu ergreifen", sagte er.')
    assert neighbours(seq[3], {"d": seq}) == [seq[0]]
    # a speaker the sentence names itself needs no one before it
    seq = article("Etwas ganz anderes geschah.", '„Wir sind bereit“, sagte Minister Cho.')
    assert neighbours(seq[1], {"d": seq}) == []
