"""Who holds an office the question gives to a country, on plain text (no model)."""
from rag import attribution as A
from rag import terms as T
from rag.vocab import OFFICES


def test_an_office_the_question_gives_to_a_country_must_be_that_countrys_in_the_evidence():
    def pairs(question, lang="en"):
        terms = T.key_terms(question, lang)
        return A.owners(question, terms, [t for t in terms if t.forms in OFFICES])
    for q, lang in [("What did Russia's defence minister say?", "en"), ("What did the defence minister of Russia say?", "en"),
                    ("Was sagte der russische Verteidigungsminister?", "de")]:
        owned = pairs(q, lang)
        assert [c.forms[0] for _, c in owned] == ["russia"]
        assert A.holds_office(owned, ["Russlands Verteidigungsminister Schoigu sagte, …"])
        # the US secretary in an article on Russia is not Russia's, in the evidence or in the model's words
        assert not A.holds_office(owned, ["US-Verteidigungsminister Austin sprach von Truppen in Russland."])
        assert not A.holds_office(owned, ["Am Vortag sprach Verteidigungsminister Lloyd Austin von Truppen."],
                                  "The US defence minister said that 8,000 soldiers are in Russia.")
        # an office with no country beside it, as an article writes its own country's, may be
        assert A.holds_office(owned, ["Am Vortag sprach Verteidigungsminister Lloyd Austin von Truppen."])
        # the model's words count only against: its "Russia's defence minister" does not make another country's so
        assert not A.holds_office(owned, ["Das sagte der ukrainische Verteidigungsminister."],
                                  "Russia's defence minister said so.")
    owned = pairs("Was hatte Chinas Außenministerium erklärt?", "de")
    assert A.holds_office(owned, ["Lin Jian, Sprecher des chinesischen Außenministeriums, sagte …"])
    # a country the question asks about, not one it gives the office to
    assert pairs("What did the defence minister say about Russia?") == []
