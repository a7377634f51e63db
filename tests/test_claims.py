"""The per-sentence predicates of the citation check, on plain text (no model)."""
from rag import claims as C
from rag import terms as T
from rag.types import Evidence

EV = Evidence(number=1, doc_id="d", title="T", score=0.5, start=0, end=90,
              text="Laut Seoul sei die Anzahl auf 11.000 gestiegen, während die Ukraine 12.000 Truppen schätzt.")


def test_a_figure_or_name_must_be_in_the_evidence_a_country_may_come_from_the_question():
    said = "Seoul puts the number at 11,000."
    assert C.grounded(C.keys(said, "en"), [EV.text], [])
    assert not C.grounded(C.keys("Seoul puts the number at 13,000.", "en"), [EV.text], [])
    china = C.keys("China said nothing.", "en")
    asked = T.key_terms("What did China say?", "en")
    assert not C.grounded(china, [EV.text], [])
    # the country the user asked about, named elsewhere in the cited article ...
    assert C.grounded(china, [EV.text], asked, article=["Das chinesische Außenministerium schwieg."])
    # ... but never by the question alone: "Japan said" of an article that never names Japan is invented
    assert not C.grounded(china, [EV.text], asked) and not C.grounded(china, [EV.text], asked, article=[EV.text])


def test_copies_restates_and_bare_words():
    assert C.copies("Laut Seoul ist die Anzahl auf 11.000 gestiegen, die Ukraine schätzt 12.000 Truppen.", EV)
    assert not C.copies("Seoul reports a higher figure.", EV)
    q = "How far are the troops from the border?"
    s = "The troops are far from the border."
    assert C.restates(s, C.keys(s, "en"), q, T.key_terms(q, "en"))
    s2 = "The troops are 50 km from the border."
    assert not C.restates(s2, C.keys(s2, "en"), q, T.key_terms(q, "en"))
    # "said" for "say", "told" for "tell": no new word either
    q = "What did the US say in October it had told China about North Korea and Russia?"
    s = "The US said it had told China about North Korea and Russia in October."
    assert C.restates(s, C.keys(s, "en"), q, T.key_terms(q, "en"))
    s2 = "The US said it had warned China about destabilising steps by North Korea and Russia in October."
    assert not C.restates(s2, C.keys(s2, "en"), q, T.key_terms(q, "en"))
    assert not C.is_claim("Yes.") and C.is_claim("11,000")
    assert C.drop_stray_script("3人の US-Spitzendiplomaten") == "3 US-Spitzendiplomaten"


def test_a_name_is_two_capitalised_words_that_are_no_country_office_or_body():
    q = T.key_terms("What is the name of the US deputy ambassador to the UN?", "en")
    for text in ["The deputy ambassador is Robert A. Wood.", "Kim Jong Un said nothing.",
                 "Ministeriumssprecher Lin Jian sagte, es sei ihre Sache."]:
        assert C.names_someone(text, "en", q), text
    for text in ["Three US diplomats met the Chinese Ambassador.", "An official of the US State Department said so.",
                 "Drei US-Spitzendiplomaten trafen den chinesischen Botschafter, so ein Beamter des Außenministeriums.",
                 "Die Financial Times berichtete."]:
        assert not C.names_someone(text, "en", q), text
    # the name the question gives is no answer to it
    assert not C.names_someone("Liu Pengyu sagte es.", "de", T.key_terms("Wie heißt der Stellvertreter von Liu Pengyu?", "de"))


def test_leading_clauses_cut_before_a_relative_or_adverbial_clause_never_inside_a_list_or_reported_words():
    assert C.leading_clauses("Matthew Miller is the spokesman of the US State Department, who said on "
                             "April 15, 2018 that North Korea is a threat.") == [
        "Matthew Miller is the spokesman of the US State Department."]
    assert C.leading_clauses("Die Truppen sind in Kursk stationiert, wo sie seit dem 3. Mai kämpfen.") == [
        "Die Truppen sind in Kursk stationiert."]
    # "and Iran" continues a list, not a clause: cut there, the sentence would say less than it seems to
    assert C.leading_clauses("Rutte said the cooperation between Russia, China, North Korea, and Iran "
                             "threatens Europe.") == []
    # what Patel said would be cut in the middle ("Patel said that the troops.")
    assert C.leading_clauses("Patel said that the troops, which were trained by Russia, now fight in Kursk.") == []
    assert C.leading_clauses("Sullivan leads it, who else?") == []  # under four words left
    # whom the model says the words are from is a clause of its own
    assert C.leading_clauses("The troops were trained in artillery, according to the United States.") == [
        "The troops were trained in artillery."]
    assert C.leading_clauses("Die Truppen wurden in Artillerie ausgebildet, laut den USA.") == [
        "Die Truppen wurden in Artillerie ausgebildet."]


def test_says_where_reads_a_dateline_a_country_or_an_english_name_after_in():
    assert C.says_where("BRÜSSEL: Der US-Spitzendiplomat Antony Blinken warnte am Mittwoch.")
    assert C.says_where("Bei einem Treffen in Washington wurden die Beziehungen zum Hauptthema.")
    assert C.says_where("Die Folgen einer russischen Attacke in Charkiw am 30. Oktober 2024.")
    assert C.says_where("Blinken was in Brussels on Wednesday.")
    # a German noun after "in", a month, a sentence with no place
    assert not C.says_where("Die Truppen sind in Kampfhandlungen verwickelt.")
    assert not C.says_where("He spoke in October.")
    assert not C.says_where("Blinken was warned by Mark Rutte on Thursday.")
