"""Reading citation markers and abstentions out of the model's text."""
from rag.markers import looks_like_abstention, parse, strip_markers


def test_parse_markers_inside_after_and_grouped():
    out = parse("China schwieg [1]. Seoul nannte 11.000 Soldaten. [2, 3]\n\n[4]")
    assert out[0] == ("China schwieg.", [1]) and out[1] == ("Seoul nannte 11.000 Soldaten.", [2, 3])
    assert strip_markers("a [1] b [2,3]") == "a b"


def test_a_marker_after_the_full_stop_belongs_to_that_sentence_only():
    out = parse("Die USA nannten 10.000. [1] Laut Seoul sind es 11.000. [2]")
    assert out == [("Die USA nannten 10.000.", [1]), ("Laut Seoul sind es 11.000.", [2])]


def test_markers_leading_each_line_belong_to_the_sentence_after_them():
    # the evidence's own layout, copied by the model: "[n] sentence" per line
    out = parse('[1] The ministry had no information.\n[2] "It is up to them," said Lin Jian.')
    assert out == [("The ministry had no information.", [1]), ('"It is up to them," said Lin Jian.', [2])]


def test_abstention_phrases_in_both_languages():
    assert looks_like_abstention("The articles do not say.")
    assert looks_like_abstention("Dazu steht nichts in den Artikeln.")
    assert looks_like_abstention("This is not mentioned in the passages [1].")
    assert not looks_like_abstention("China said nothing publicly [1].")
