"""Key terms across English and German spellings (no model)."""
import pytest

from rag import terms as T


@pytest.mark.parametrize("a,b", [("11,000", "11.000"), ("11000", "11 000"), ("8.000", "8,000"), ("drei", "3"),
                                 ("twelve", "12")])
def test_the_same_figure_in_any_spelling(a, b):
    assert T.numbers(a) == T.numbers(b)


def test_decimals_stay_decimals_and_one_is_not_a_figure():
    assert T.numbers("8,5 Prozent") == {"8.5"} and T.numbers("one of the soldiers") == set()


@pytest.mark.parametrize("question,text", [
    ("What did Japan's prime minister say?", "Der japanische Premierminister sagte"),
    ("What did India say?", "Indien erklärte"), ("And Beijing?", "Peking schwieg"),
    ("What happened in Kharkiv?", "in Charkiw"), ("Who is Volodymyr Zelensky?", "Wolodymyr Selenskyj sagte"),
    ("What did the Kremlin say?", "Der Kreml dementierte"), ("What did Pyongyang do?", "Nordkorea schickte")])
def test_a_term_is_found_in_its_german_spelling(question, text):
    terms = T.key_terms(question, "en")
    assert terms and not T.missing(terms, [text]), [t.text for t in T.missing(terms, [text])]


def test_everyday_words_are_not_names_but_rare_capitalised_words_are():
    kinds = {t.text: t.kind for t in T.key_terms("Was hat Chinas Staatschef Xi Jinping zum Einsatz der Truppen gesagt?", "de")}
    assert kinds.get("Jinping") == "name" and "Einsatz" not in kinds and "Truppen" not in kinds
    assert kinds.get("Chinas") == "entity"


def test_missing_names_what_no_text_holds():
    terms = T.key_terms("What did Olaf Scholz say about Russia?", "en")
    assert {t.text for t in T.missing(terms, ["Russland und die Ukraine"])} == {"Olaf", "Scholz"}


@pytest.mark.parametrize("question,text,found", [
    ("Wie viel zahlt Russland den Soldaten?", "8.000 nordkoreanische Soldaten sind in Russland.", False),
    ("Who was killed?", "Killerwale wurden gesichtet.", False),
    ("Who won?", "Im Winter wurde gekämpft.", False),
    ("Wie viele sind gefallen?", "Die gefallenen Soldaten wurden gezählt.", True),
    ("How many were killed?", "Drei Generäle wurden getötet.", True),
    ("Who won the vote?", "Er gewann die Wahl.", True),
    ("Wie hoch ist das Gehalt der Soldaten?", "Die Truppen werden in Kursk zurückgehalten, die Rede wurde gehalten.", False),
    ("Who will win?", "The wind turned.", False),
    ("Wie hoch ist das Gehalt?", "Die Gehalts-Zahlungen stiegen; das Gehalt ist hoch.", True),
    # "captured" is a town or a prisoner; "gefangen" only a prisoner
    ("It captured two dozen settlements.", "Sie eroberten dort mehr als zwei Dutzend Siedlungen.", True),
    ("How many soldiers were captured?", "Zwei Soldaten gerieten in Gefangenschaft.", True),
    ("Wie viele wurden gefangen genommen?", "Sie eroberten zwei Dutzend Siedlungen.", False)])
def test_an_event_is_its_own_word_inflected_not_the_start_of_another(question, text, found):
    """'Sold' (pay) begins 'Soldaten', 'win' begins 'Winter': an event word counts only as itself."""
    events = [t for t in T.key_terms(question, "en") if t.kind == "event"]
    assert events and T.present(events[0], text) is found


def test_an_acronym_is_a_name_and_a_short_name_is_matched_exactly():
    cnn = [t for t in T.key_terms("Was steht im CNN-Bericht?", "de") if t.text == "CNN"]
    assert cnn and cnn[0].kind == "name"
    assert not T.present(cnn[0], "Heute kann ich es bestätigen.")
    assert T.present(cnn[0], "Das berichtete CNN am Dienstag.")
    assert [t.kind for t in T.key_terms("Was sagte die VRC?", "de")] == ["entity"]  # China's initials


@pytest.mark.parametrize("text, found", [
    ("Dieser Appell wurde am 29. Oktober von CNN berichtet.", set()),
    ("On October 29th 2024 about 3,000 troops were moved.", {"3000"}),
    ("Laut Seoul sei die Anzahl auf 11.000 gestiegen.", {"11000"}),
    ("Der Einmarsch begann am 6. August.", set()),
])
def test_a_day_month_or_year_is_no_count(text, found):
    assert T.counts(text) == found


def test_a_word_that_goes_on_a_matched_phrase_is_no_name_of_its_own():
    # "North Koreans" is the phrase "north korea" inflected: an answer saying it must not need "Koreans"
    # in a German sentence that says "Nordkoreaner"
    terms = T.key_terms("11,000 North Koreans are in Kursk.", "en")
    assert [t.text for t in terms if t.kind == "name"] == []
    assert all(T.present(t, "11.000 Nordkoreaner sind in Kursk.") for t in terms)


def test_two_is_grounded_by_both_but_both_is_no_figure():
    two = [t for t in T.key_terms("The two sides talked this week.", "en") if t.kind == "number"]
    assert two and T.present(two[0], "Die beiden Seiten sprachen diese Woche miteinander.")
    assert not T.present(two[0], "Die Seiten sprachen diese Woche miteinander.")
    assert not T.numbers("Die beiden Seiten sprachen.")  # no count for a "how many" question


@pytest.mark.parametrize("question,text,found", [
    ("How many tanks has North Korea sent?", "Kampfpanzern", True),  # the head of a compound
    ("How many tanks has North Korea sent?", "an der Tankstelle", False),  # a short one only whole
    ("How many missiles?", "Langstreckenraketen und Raketenangriffe", True),
    ("Wie viele Soldaten wurden verwundet?", "Dutzende Schwerverletzte", True),
    ("What is the population of Kursk?", "Die Bevölkerung von Kursk", True),
    ("What is the population of Kursk?", "11.000 Soldaten in Kursk", False),
    ("Which party does she lead?", "die Regierungspartei", True),
    ("Which party does she lead?", "vom German Marshall Fund", False),
    ("Is North Korea sending navy ships to Russia?", "nordkoreanische Kriegsschiffe im Hafen", True),
    ("Is North Korea sending navy ships to Russia?", "Truppen auf russische Übungsplätze", False),
])
def test_a_thing_the_articles_may_not_report_is_found_in_either_language(question, text, found):
    """'How many tanks', 'the population of': an answer needs a sentence that reports them, not
    another count of the same place."""
    things = [t for t in T.key_terms(question, "en") if t.kind == "thing"]
    assert things and T.present(things[0], text) is found


def test_a_name_of_everyday_words_counts_where_the_question_asks_what_someone_said():
    """'Austin', 'Wood' are everyday English words; capitalised in a row after 'What did' they name
    someone. Elsewhere a capitalised pair is often a German body's English name ('Nordatlantikrat')."""
    assert [t.forms for t in T.key_terms("What did Lloyd Austin say about China?", "en") if t.kind == "name"] == [("austin",)]
    assert [t.forms for t in T.key_terms("What did Robert A. Wood say to the Council?", "en") if t.kind == "name"] == [("wood",)]
    assert not [t for t in T.key_terms("Who did Blinken meet after the North Atlantic Council?", "en")
                if "atlantic" in t.forms]
    assert not [t for t in T.key_terms("What did the North Korean army say?", "en") if t.kind == "name"]
    # an answer's sentence is checked on its rare names alone
    assert not [t for t in T.key_terms("Lloyd Austin said so.", "en", pairs=False) if t.kind == "name"]


def test_every_country_is_a_key_term_and_a_capital_stands_for_itself():
    """'Nigerian' names a country none of the hand-made groups has (the names come from CLDR through
    Babel); 'Moscow' in an answer needs Moscow in the evidence, not just something Russian."""
    nigeria = [t for t in T.key_terms("Adedeji Ebo is a Nigerian politician.", "en") if t.kind == "entity"]
    assert nigeria and T.present(nigeria[0], "Nigerias Regierung") and not T.present(nigeria[0], "die UN")
    moscow = T.place(next(t for t in T.key_terms("Kim Jong Un visited Moscow.", "en") if t.kind == "entity"))
    assert T.present(moscow, "Gipfel in Moskau") and not T.present(moscow, "der russische Präsident")
    russia = T.place(next(t for t in T.key_terms("Russia said so.", "en") if t.kind == "entity"))
    assert T.present(russia, "der russische Präsident")
