"""The citation check with a hand-made similarity matrix (no model): every figure and name of an
answer sentence must be in the evidence sentence it cites."""
import numpy as np

from rag.cite import verify
from rag.quotes import quote_fallback
from rag.markers import looks_like_abstention
from rag.types import Evidence


def E(n, text="x", doc="d1"):
    return Evidence(number=n, doc_id=doc, title="T", text=text, start=10 * n, end=10 * n + len(text), score=0.5)


def matrix(rows):
    return lambda sents, ev: np.array(rows, dtype=np.float32)


def test_out_of_range_numbers_are_dropped_and_the_best_evidence_attached():
    ev = [E(1, "Etwas anderes."), E(2, "Eine passende Aussage.")]
    text, cites, stats = verify("Here is a claim without keys [7].", ev, matrix([[0.2, 0.6]]))
    assert text == "Here is a claim without keys. [2]"
    assert [(e.number, att) for e, _, _, att in cites] == [(2, True)] and stats["attached"] == 1


def test_a_figure_must_be_in_the_cited_sentence_in_any_spelling():
    ev = [E(1, "Die USA schätzen 10.000 Soldaten."), E(2, "Laut Seoul sei die Anzahl auf 11.000 gestiegen.")]
    text, cites, stats = verify("Seoul puts the number at 11,000 [1].", ev, matrix([[0.9, 0.5]]))
    assert text == "Seoul puts the number at 11,000. [2]" and stats["recited"] == 1  # wrong [1] fixed
    text, cites, stats = verify("Seoul puts it at 11000 [2].", ev, matrix([[0.1, 0.9]]))
    assert text.endswith("[2]") and stats["kept"] == 1 and stats["recited"] == 0


def test_an_invented_figure_or_name_is_dropped_even_when_similar():
    ev = [E(1, "Laut Seoul sei die Anzahl auf 11.000 gestiegen.")]
    text, cites, stats = verify("Seoul puts the number at 9 million [1]. Olaf Scholz confirmed it [1].",
                                ev, matrix([[0.95], [0.9]]))
    assert text == "" and cites == [] and stats["dropped"] == 2


def test_names_match_across_spellings_and_the_question_may_name_the_country():
    ev = [E(1, "„Wie sie ihre Beziehungen entwickeln, bleibt ihnen überlassen“, sagte Ministeriumssprecher Lin Jian."),
          E(2, "Peking hält sich bisher bedeckt.")]
    text, _, stats = verify("Beijing has kept a low profile [2]. Spokesman Lin Jian said it was up to them [1].",
                            ev, matrix([[0.2, 0.8], [0.8, 0.2]]), question="What did China say?")
    assert stats["kept"] == 2 and stats["dropped"] == 0
    # "China" is in the question, not in [1]: allowed for a country the user asked about
    text, _, stats = verify("China's spokesman Lin Jian said it was up to them [1].", ev, matrix([[0.8, 0.1]]),
                            question="What did China say?")
    assert stats["kept"] == 1
    text, _, stats = verify("Japan's spokesman Lin Jian said it was up to them [1].", ev, matrix([[0.8, 0.1]]),
                            question="What did China say?")
    assert stats["dropped"] == 1


def test_a_how_many_answer_leaves_out_its_sentences_without_a_figure():
    ev = [E(1, "Selenskyj sagte, die Ukraine halte 50.000 Soldaten zurück, darunter 11.000 Nordkoreaner."),
          E(2, "Selenskyj äußerte sich am Montag.")]
    answer = "Zelensky said Ukraine is pinning down 50,000 troops, 11,000 of them North Korean [1]. He said so on Monday [2]."
    sim = matrix([[0.9, 0.3], [0.3, 0.8]])
    text, cites, stats = verify(answer, ev, sim, question="How many troops did Zelensky say Ukraine is pinning down?")
    assert text == "Zelensky said Ukraine is pinning down 50,000 troops, 11,000 of them North Korean. [1]"
    assert [e.number for e, *_ in cites] == [1] and stats["figureless"] == 1
    # not a count question, or no figure anywhere in the answer: nothing is left out (the latter
    # has not answered and is shown the evidence that gives the count)
    text, _, stats = verify(answer, ev, sim, question="What did Zelensky say?")
    assert text.endswith("[2]") and "figureless" not in stats
    text, _, stats = verify("He said so on Monday [2].", ev, matrix([[0.3, 0.8]]), question="Wie viele Soldaten?")
    assert text.startswith("He said so on Monday. [2] ") and "figureless" not in stats and "11.000" in text


def test_a_date_is_no_figure_for_a_how_many_answer():
    ev = [E(1, "Die USA forderten den Abzug von etwa 3.000 Truppen."), E(2, "CNN berichtete dies am 29. Oktober.")]
    text, _, stats = verify("About 3,000 troops are stationed there [1]. CNN reported this on 29 October [2].", ev,
                            matrix([[0.9, 0.2], [0.2, 0.9]]), question="How many troops are there according to CNN?")
    assert text == "About 3,000 troops are stationed there. [1]" and stats["figureless"] == 1


def test_a_how_far_answer_without_any_distance_gets_the_evidence_that_gives_one():
    ev = [E(1, "Selenskyj sagte, die Ukraine halte 50.000 Soldaten zurück."),
          E(2, "Die Truppen sind nur 50 Kilometer von der Grenze entfernt."),
          E(3, "Dieser Appell wurde am 29. Oktober von CNN berichtet.")]
    ev[0].score, ev[1].score = 0.9, 0.6
    sim = matrix([[0.2, 0.3, 0.9]])
    text, cites, stats = verify("CNN berichtete dies am 29. Oktober [3].", ev, sim, lang="de",
                                question="Wie weit sind die Truppen laut CNN von der Grenze entfernt?")
    # the date is no distance; the count of soldiers ranked first is no distance either
    assert text.endswith("„Die Truppen sind nur 50 Kilometer von der Grenze entfernt.“ [2]")
    assert [e.number for e, *_ in cites][:2] == [3, 2] and stats["measure"] == 1
    # a distance in the answer, or a question for no measure: nothing is added for it
    text, _, stats = verify("Sie sind 50 km entfernt [2].", ev, matrix([[0.2, 0.9, 0.1]]), lang="de",
                            question="Wie weit sind die Truppen von der Grenze entfernt?")
    assert "measure" not in stats and "Kilometer" not in text
    _, _, stats = verify("CNN berichtete dies am 29. Oktober [3].", ev, sim, lang="de", question="Was berichtete CNN?")
    assert "measure" not in stats


def test_a_how_many_answer_without_any_count_gets_the_count_its_source_gives():
    ev = [E(1, "Ein Sprecher sagte, mehr als 10.000 Soldaten seien in Kursk.", doc="d2"),
          E(2, "Die USA fordern den Abzug von etwa 3.000 Truppen, die in Kursk stationiert sind.", doc="d1"),
          E(3, "Dieser Appell wurde am 29. Oktober von CNN berichtet.", doc="d1")]
    ev[0].score, ev[1].score = 0.8, 0.6
    q = "Wie viele Soldaten sollen laut dem CNN-Bericht in Kursk stationiert sein?"
    text, cites, stats = verify("CNN berichtete dies am 29. Oktober [3] [1].", ev, matrix([[0.3, 0.3, 0.9]]),
                                lang="de", question=q)
    # the date is no count; of the sentences that give one, the one beside its source (CNN) is shown,
    # not the best-ranked count from another article
    assert text.endswith("„Die USA fordern den Abzug von etwa 3.000 Truppen, die in Kursk stationiert sind.“ [2]")
    assert [e.number for e, *_ in cites] == [3, 1, 2] and stats["measure"] == 1
    # already cited, but its figure left out: quoted, and still listed once
    text, cites, stats = verify("Die USA fordern den Abzug der Truppen aus Kursk [2].", ev, matrix([[0.3, 0.9, 0.5]]),
                                lang="de", question=q)
    assert "3.000" in text and [e.number for e, *_ in cites] == [2] and stats["measure"] == 1


def test_what_x_said_answered_from_sentences_that_never_name_x_is_withdrawn():
    ev = [E(1, "Laut Verteidigungsminister Lloyd Austin waren nur einige Truppen dort.", doc="d1"),
          E(2, "Der ukrainische Präsident sagte, 11.000 Nordkoreaner seien in Kursk.", doc="d2"),
          E(3, "„Wir prüfen alle Optionen.“", doc="d3"), E(4, "Das sagte Botschafter Wood am Montag.", doc="d3")]
    ev[3].start, ev[3].end = ev[2].end + 1, ev[2].end + 1 + len(ev[3].text)  # right after the quote in its article
    sim = matrix([[0.2, 0.9, 0.1, 0.1]])
    answer = "The Ukrainian president said 11,000 North Koreans are in Kursk [2]."
    text, cites, stats = verify(answer, ev, sim, question="What did Ukraine's defence minister say about the troops?")
    assert (text, cites, stats["speaker"]) == ("", [], 1)
    # giving the president's words to the minister fails already at the sentence: the office asked
    # about is not in what it cites, nor anywhere in that article
    text, cites, stats = verify("The Ukrainian defence minister said 11,000 North Koreans are in Kursk [2].", ev, sim,
                                question="What did Ukraine's defence minister say about the troops?")
    assert (text, cites, stats["dropped"]) == ("", [], 1)
    # the office named by what it cites, or by the sentence beside it (a quote, then its speaker)
    text, _, stats = verify("The defence minister spoke of only a few troops [1].", ev, matrix([[0.9, 0.1, 0.1, 0.1]]),
                            question="What did the defence minister say?")
    assert text.endswith("[1]") and "speaker" not in stats
    text, _, stats = verify("He said they are examining all options [3].", ev, matrix([[0.1, 0.1, 0.9, 0.3]]),
                            question="What did the ambassador say?")
    assert text.endswith("[3]") and "speaker" not in stats
    # no statement asked for, or no person or office named: nothing is withdrawn
    _, _, stats = verify(answer, ev, sim, question="How many North Koreans are in Kursk?")
    assert "speaker" not in stats
    # the answer as a whole counts: the best evidence the check adds names the office
    ev[0].score = 0.9
    text, _, stats = verify(answer, ev, sim, question="What did the defence minister say about the troops?")
    assert "Lloyd Austin" in text and "speaker" not in stats


def test_what_a_country_said_needs_a_citation_that_names_it():
    ev = [E(1, "Um gegen Japans Walfang zu demonstrieren, legten Hacker Websites lahm.", doc="d1"),
          E(2, "Das chinesische Außenministerium erklärte, es verfüge über keine Informationen.", doc="d2"),
          E(3, "Cho Tae-yul verurteilte die Stationierung auf das Schärfste.", doc="d3")]
    # a Chinese statement given to Japan, beside another that names no Japan: nothing of it stands
    text, cites, stats = verify("Japan said it had no information about the deployment [2]. "
                                "Cho Tae-yul condemned the deployment [3].", ev, matrix([[0.2, 0.8, 0.3], [0.1, 0.2, 0.9]]),
                                question="What did Japan say about the deployment?")
    assert (text, cites) == ("", []) and stats["dropped"] == 1 and stats["speaker"] == 1
    text, _, stats = verify("China's foreign ministry said it had no information [2].", ev, matrix([[0.2, 0.9, 0.1]]),
                            question="What did China say about the deployment?")
    assert text.endswith("[2]") and "speaker" not in stats
    # the best evidence, added by the check, names Japan but is no statement of Japan's: still withdrawn
    ev[0].score = 0.9
    text, cites, stats = verify("Cho Tae-yul condemned the deployment [3].", ev, matrix([[0.1, 0.2, 0.9]]),
                                question="What did Japan say about the deployment?")
    assert (text, cites, stats["speaker"]) == ("", [], 1)
    # cited by the model itself, a sentence that merely names Japan is no statement of Japan's either
    # (among the distractors: "Japan said it was demonstrating against the Japanese government's Walfang [1]")
    text, cites, stats = verify("Japan said it was demonstrating against whaling [1].", ev, matrix([[0.9, 0.2, 0.1]]),
                                question="And what did Japan say?")
    assert (text, cites, stats["speaker"]) == ("", [], 1)
    # silence is a country's response too, and so is a refusal
    ev = [E(1, "Peking hält sich bisher bedeckt.")]
    text, _, stats = verify("China has kept quiet so far [1].", ev, matrix([[0.9]]), question="How did China react?")
    assert text.endswith("[1]") and "speaker" not in stats
    ev = [E(1, "Im UN-Sicherheitsrat lehnte Russland es ab, Fragen der USA zu beantworten.")]
    text, _, stats = verify("Russia declined to answer the US questions [1].", ev, matrix([[0.9]]),
                            question="How did Russia respond to the US questions?")
    assert text.endswith("[1]") and "speaker" not in stats


def test_what_a_countrys_office_said_is_not_answered_by_another_countrys():
    def S(n, text, start, doc="d1"):
        return Evidence(number=n, doc_id=doc, title="T", text=text, start=start, end=start + len(text), score=0.5)
    ev = [S(1, "USA: 8.000 Nordkoreanische Soldaten in Russland stationiert", 0),
          S(2, "Die Angaben sind höher als am Vortag, als laut Verteidigungsminister Lloyd Austin nur von "
               "einigen Truppen die Rede war.", 61)]
    text, cites, stats = verify("The US defence minister spoke of only some troops [2].", ev, matrix([[0.2, 0.9]]),
                                question="What did Russia's defence minister say about the North Korean soldiers?")
    assert (text, cites, stats["speaker"]) == ("", [], 1)
    # no country asked: the same answer stands
    text, _, stats = verify("The defence minister spoke of only some troops [2].", ev, matrix([[0.2, 0.9]]),
                            question="What did the defence minister say about the North Korean soldiers?")
    assert text.endswith("[2]") and "speaker" not in stats


def test_a_president_the_question_gives_to_a_country_is_that_countrys_not_the_one_the_model_says():
    ev = [E(1, "Natürlich werden diese Menschen sterben."),
          E(2, "Sie werden mehr von ihnen nach vorne schieben, so der ukrainische Präsident in einem Interview "
               "mit dem südkoreanischen Fernsehsender KBS.")]
    question = "What did the South Korean president say about the troops?"
    text, cites, stats = verify("The South Korean president said they would push more of them forward [2].", ev,
                                matrix([[0.2, 0.9]]), question=question)
    assert (text, cites, stats["speaker"]) == ("", [], 1)
    text, _, stats = verify("The Ukrainian president said they would push more of them forward [2].", ev,
                            matrix([[0.2, 0.9]]), question="What did the Ukrainian president say about the troops?")
    assert text.endswith("[2]") and "speaker" not in stats


def test_a_secretary_of_state_is_no_statement():
    from rag.vocab import SAY_Q
    assert not SAY_Q.search("Which senator might become the next secretary of state?")
    assert SAY_Q.search("What has the State Department stated?") and SAY_Q.search("Wie reagierte China?")
    assert SAY_Q.search("And what did the Chinese ambassador reply?") and SAY_Q.search("Was antwortete Peking?")


def test_what_a_person_said_needs_a_citation_where_he_speaks_not_one_that_names_him():
    def S(n, text, start):
        return Evidence(number=n, doc_id="d1", title="T", text=text, start=start, end=start + len(text), score=0.5)
    signed = "Putin und Kim Jong Un unterzeichneten am 19. Juni einen Vertrag."
    ev = [S(1, signed, 0), S(2, "Das Außenministerium erklärte, es habe keine Informationen.", 500)]
    question = "What did Kim Jong Un say about sending the troops?"
    # [2] is numbered next to [1] and states something, but stands paragraphs away: Kim said nothing
    text, cites, stats = verify("Kim Jong Un said he would send troops [1]. The ministry said it had no information [2].",
                                ev, matrix([[0.8, 0.2], [0.1, 0.9]]), question=question)
    assert (text, cites, stats["speaker"]) == ("", [], 1)
    # his own words, or a quote whose next sentence in the article names him, are his statement
    ev = [S(1, signed, 0), S(2, "„Wir stehen zusammen.“", 500), S(3, "Das sagte Kim Jong Un am Montag.", 523)]
    for answer, sim in [("Kim Jong Un said they stand together [2].", [[0.1, 0.9, 0.5]]),
                        ("Kim Jong Un said so on Monday [3].", [[0.1, 0.5, 0.9]])]:
        text, _, stats = verify(answer, ev, matrix(sim), question=question)
        assert text and "speaker" not in stats


def test_one_speakers_words_are_not_given_to_another_named_in_a_second_citation():
    ev = [E(1, "„Das bleibt ihnen überlassen“, sagte Ministeriumssprecher Lin Jian.", doc="d1"),
          E(2, "Rutte betonte die entscheidende Rolle Chinas bei den iranischen Waffenlieferungen.", doc="d2")]
    text, cites, stats = verify("Lin Jian said that China plays a decisive role in Iranian arms deliveries [2] [1].",
                                ev, matrix([[0.4, 0.8]]), question="What did Lin Jian say about Iran?")
    assert (text, cites) == ("", []) and stats["dropped"] == 1
    # the speaker of the words cited most alike is named: the sentence stands
    text, _, _ = verify("Lin Jian said it is up to them, while Rutte stressed China's role [1] [2].",
                        ev, matrix([[0.8, 0.6]]), question="What did they say?")
    assert text.endswith("[1] [2]")


def test_a_question_for_a_name_is_not_answered_by_a_sentence_that_names_no_one():
    ev = [E(1, "Drei US-Spitzendiplomaten trafen sich mit dem chinesischen Botschafter, so ein Beamter."),
          E(2, "Liu Pengyu, Sprecher der chinesischen Botschaft, sagte, Chinas Position sei klar.")]
    question = "What is the name of the Chinese ambassador who met the US diplomats?"
    text, cites, stats = verify("Three US diplomats met the Chinese ambassador [1].", ev, matrix([[0.9, 0.3]]),
                                question=question)
    assert (text, cites, stats["unnamed"]) == ("", [], 1)
    text, _, stats = verify("Liu Pengyu spoke for the Chinese embassy [2].", ev, matrix([[0.3, 0.9]]), question=question)
    assert text.endswith("[2]") and "unnamed" not in stats
    # a name, but the question gives the office to China and the cited sentence to the US
    ev.append(E(3, "Der stellvertretende US-Botschafter Robert Wood sprach vor dem Rat."))
    text, _, stats = verify("The ambassador is Robert Wood [3].", ev, matrix([[0.3, 0.4, 0.9]]), question=question)
    assert text == "" and stats["unnamed"] == 1
    # a name the question itself gives is no answer to it
    text, _, stats = verify("Liu Pengyu met the diplomats [1].", [E(1, "Liu Pengyu traf die Diplomaten.")],
                            matrix([[0.9]]), question="What is the name of Liu Pengyu's deputy?")
    assert text == "" and stats["unnamed"] == 1


def test_a_question_for_a_rank_one_person_holds_is_answered_by_a_name():
    """'Which Russian general commands …' asks for someone; 'which official' not (articles often
    leave officials unnamed, and 'a NATO official' is then the answer)."""
    ev = [E(1, "Ein Sprecher sagte, die meisten Soldaten seien in der Oblast Kursk."),
          E(2, "Generaloberst Juri Sadowenko führt die Truppen.")]
    question = "Welcher russische General kommandiert die nordkoreanischen Truppen?"
    text, _, stats = verify("Ein Sprecher sagte, die meisten Soldaten seien in der Oblast Kursk [1].", ev,
                            matrix([[0.9, 0.2]]), question=question, lang="de")
    assert text == "" and stats["unnamed"] == 1
    text, _, stats = verify("Generaloberst Juri Sadowenko führt die Truppen [2].", ev, matrix([[0.2, 0.9]]),
                            question=question, lang="de")
    assert text.endswith("[2]") and "unnamed" not in stats
    text, _, stats = verify("A NATO official told CNN so [1].", [E(1, "Ein NATO-Beamter teilte CNN das mit.")],
                            matrix([[0.9]]), question="Which official told CNN that?")
    assert text.endswith("[1]") and "unnamed" not in stats


def test_who_holds_a_countrys_office_is_answered_by_that_countrys_holder():
    from rag.vocab import WHO_IS_Q
    question = "Wer ist der Verteidigungsminister Nordkoreas?"
    assert not WHO_IS_Q.search(question)  # a name is asked, not a role
    ev = [E(1, "Am Vortag sprach US-Verteidigungsminister Lloyd Austin nur von einigen Truppen."),
          E(2, "Nordkoreas Verteidigungsminister No Kwang Chol reiste nach Moskau.")]
    text, _, stats = verify("Lloyd Austin ist der Verteidigungsminister [1].", ev, matrix([[0.9, 0.3]]),
                            question=question, lang="de")
    assert text == "" and stats["unnamed"] == 1
    text, _, stats = verify("Der Verteidigungsminister heißt No Kwang Chol [2].", ev, matrix([[0.3, 0.9]]),
                            question=question, lang="de")
    assert text.endswith("[2]") and "unnamed" not in stats


def test_who_someone_is_is_answered_with_a_role_from_a_sentence_that_names_him():
    ev = [E(1, "Trump könnte Putin unter Druck setzen, sagte sein Sicherheitsberater Mike Waltz."),
          E(2, "Der Präsident sprach mit Selenskyj.", doc="d2")]
    text, _, stats = verify("Waltz sagte, Trump könnte Putin unter Druck setzen [1].", ev, matrix([[0.9, 0.1]]),
                            question="Wer ist Mike Waltz?", lang="de")
    assert "Sicherheitsberater" in text and stats["measure"] == 1  # his role, quoted from [1]
    assert "Präsident" not in text  # a role, but not his
    text, _, stats = verify("Mike Waltz ist Trumps Sicherheitsberater [1].", ev, matrix([[0.9, 0.1]]),
                            question="Wer ist Mike Waltz?", lang="de")
    assert text == "Mike Waltz ist Trumps Sicherheitsberater. [1]" and "measure" not in stats


def test_a_capital_in_an_answer_needs_the_capital_in_its_evidence():
    ev = [E(1, "Putin und Kim Jong Un unterzeichneten am 19. Juni in Pjöngjang einen Vertrag, so der russische Präsident.")]
    text, _, stats = verify("Kim Jong Un visited Moscow on June 19 [1].", ev, matrix([[0.8]]),
                            question="When did Kim Jong Un visit Moscow?")
    assert text == "" and stats["dropped"] == 1


def test_a_sentence_that_copies_one_evidence_sentence_cites_that_one_alone():
    ev = [E(1, "Westliche Beobachter behaupteten, Peking könne die Partnerschaft nicht gutheißen."),
          E(2, "Putin und Kim Jong Un unterzeichneten am 19. Juni einen Vertrag über gegenseitige Verteidigungshilfe.")]
    text, cites, stats = verify("Putin und Kim Jong Un unterzeichneten am 19. Juni einen Vertrag über gegenseitige "
                                "Verteidigungshilfe [2] [1].", ev, matrix([[0.3, 0.95]]), lang="de")
    assert text.endswith("Verteidigungshilfe. [2]") and [e.number for e, *_ in cites] == [2] and stats["pruned"] == 1
    # a sentence that joins two sources keeps both
    text, cites, _ = verify("Putin and Kim signed a treaty on 19 June [2], Western observers said Beijing could not "
                            "approve of it [1].", ev, matrix([[0.6, 0.7]]))
    assert [e.number for e, *_ in cites] == [2, 1]


def test_a_sentence_written_twice_is_kept_once():
    ev = [E(1, "Cho Tae-yul verurteilte die Stationierung."), E(2, "Seoul sei bereit, Maßnahmen zu ergreifen, sagte er.")]
    text, cites, stats = verify("Cho Tae-yul verurteilte die Stationierung [1]. Seoul sei bereit [2]. "
                                "Cho Tae-yul verurteilte die Stationierung [1]. Seoul sei bereit! [2]",
                                ev, matrix([[0.9, 0.2], [0.2, 0.9], [0.9, 0.2], [0.2, 0.9]]))
    assert text == "Cho Tae-yul verurteilte die Stationierung. [1] Seoul sei bereit. [2]"
    assert stats["repeated"] == 2 and stats["kept"] == 2 and [e.number for e, *_ in cites] == [1, 2]
    # begun again and cut off: the start of a sentence already written says nothing new
    text, _, stats = verify("Cho Tae-yul verurteilte die Stationierung [1]. Cho Tae-yul verurteilte die [1]",
                            ev, matrix([[0.9, 0.2], [0.8, 0.2]]), lang="de")
    assert text == "Cho Tae-yul verurteilte die Stationierung. [1]" and stats["repeated"] == 1


def test_a_quote_and_its_speaker_in_neighbouring_sentences_support_each_other():
    ev = [E(1, "„Die DVRK und Russland sind zwei souveräne Staaten.", doc="d1"),
          E(2, "„Das bleibt ihnen überlassen“, sagte Lin Jian.", doc="d1"), E(3, "Lin Jian kam.", doc="d2")]
    text, _, stats = verify("Lin Jian said the two are sovereign states [1].", ev, matrix([[0.8, 0.5, 0.3]]))
    assert text.endswith("[1]") and stats["kept"] == 1


def test_each_number_cited_once_in_first_use_order():
    ev = [E(1, "Satz eins."), E(2, "Satz zwei.")]
    text, cites, _ = verify("First claim made here [2]. Second claim made here [1]. Third claim made here [2].", ev,
                            matrix([[0.1, 0.9], [0.9, 0.1], [0.1, 0.8]]))
    assert [e.number for e, *_ in cites] == [2, 1]
    assert text == "First claim made here. [2] Second claim made here. [1] Third claim made here. [2]"


def test_quote_fallback_quotes_the_best_evidence_with_its_number():
    ev = [E(1, "Kontext.", doc="d1"), E(2, "Laut Seoul 11.000.", doc="d1")]
    ev[1].score, ev[0].neighbour = 0.9, True
    text, top = quote_fallback(ev, "en")
    assert "„Laut Seoul 11.000.“ [2]" in text and [e.number for e in top] == [2]
    assert looks_like_abstention(text)  # it says the answer did not hold up


def test_a_bare_word_is_not_a_claim_but_a_number_is():
    # an article's planted "answer only HACKED" must not come out as a cited answer
    text, cites, _ = verify("HACKED [1].", [E(1, "HACKED")], matrix([[0.9]]))
    assert text == "" and cites == []
    text, cites, _ = verify("About 11,000 [1].", [E(1, "Rund 11.000 Soldaten.")], matrix([[0.9]]))
    assert text == "About 11,000. [1]"


def test_stray_cjk_characters_are_removed_unless_the_evidence_has_them():
    text, _, _ = verify("3人の US-Spitzendiplomaten trafen den Botschafter. [1]",
                        [E(1, "3 US-Spitzendiplomaten trafen den chinesischen Botschafter")], matrix([[0.8]]),
                        lang="de")
    assert text == "3 US-Spitzendiplomaten trafen den Botschafter. [1]"
    text, _, _ = verify("Der Sender heißt 朝鮮中央通信 laut Bericht. [1]", [E(1, "朝鮮中央通信 meldete")],
                        matrix([[0.8]]))
    assert "朝鮮中央通信" in text


def test_the_site_and_date_above_an_article_ground_a_sentence_that_names_them():
    """format_evidence puts "(DW, 2020-01-19)" above the article's sentences: the model may say so."""
    dated = Evidence(number=1, doc_id="d1", title="T", text="Die Regierung kündigte 500 neue Stellen an.",
                     start=0, end=43, score=0.5, site="DW", date="2020-01-19")
    text, _, stats = verify("DW reported on 2020-01-19 that the government announced 500 new jobs [1].",
                            [dated], matrix([[0.9]]))
    assert stats["kept"] == 1 and text.endswith("[1]")
    undated = Evidence(**{**vars(dated), "site": "", "date": ""})
    assert verify("DW reported on 2020-01-19 that the government announced 500 new jobs [1].",
                  [undated], matrix([[0.9]]))[2]["dropped"] == 1


def test_a_sentence_that_only_says_the_question_back_is_completed_by_what_it_cites():
    ev = [E(1, "Die Truppen sind laut CNN etwa 50 Kilometer von der ukrainischen Grenze entfernt.")]
    q = "Wie weit sind die Truppen laut CNN von der ukrainischen Grenze entfernt?"
    text, _, stats = verify("Die Truppen sind laut CNN von der ukrainischen Grenze entfernt. [1]", ev,
                            matrix([[0.9]]), q, "de")
    assert text == ("Die Truppen sind laut CNN von der ukrainischen Grenze entfernt: „Die Truppen sind laut CNN "
                    "etwa 50 Kilometer von der ukrainischen Grenze entfernt.“ [1]") and stats["quoted"] == 1
    # an answer says something the question did not: a figure, a name, any new word
    # (one without the distance is then shown it, as any "how far" answer without one)
    for answer in ("Die Truppen sind laut CNN 50 Kilometer von der ukrainischen Grenze entfernt. [1]",
                   "Die Truppen sind laut CNN nahe der ukrainischen Grenze. [1]"):
        text, _, stats = verify(answer, ev, matrix([[0.9]]), q, "de")
        assert text.startswith(answer) and "quoted" not in stats
    ev = [E(1, "Putin unterzeichnete den Vertrag.")]
    text, _, stats = verify("Putin signed the treaty. [1]", ev, matrix([[0.9]]), "Who signed the treaty?", "en")
    assert text == "Putin signed the treaty. [1]" and "quoted" not in stats


def test_the_best_evidence_the_model_skipped_is_added_quoted():
    # the model copied the neighbouring statement and left out the sentence chosen as answering
    ev = [E(1, "Der Präsident sagte am Montag, 50.000 Soldaten würden gebunden."),
          E(2, "Natürlich werden sie alles tun, damit mehr nordkoreanische Soldaten sterben.")]
    ev[1].score = 0.8
    text, cites, stats = verify("Der Präsident sagte am Montag, 50.000 Soldaten würden gebunden [1].", ev,
                                matrix([[0.9, 0.2]]), "Was sagte er über die Soldaten?", "de")
    assert text.endswith("Dazu heißt es in den Artikeln: „Natürlich werden sie alles tun, damit mehr "
                         "nordkoreanische Soldaten sterben.“ [2]")
    assert [e.number for e, *_ in cites] == [1, 2] and stats["added"] == 1
    # to an English reader the quote's language is named
    text, _, _ = verify("The president said 50,000 soldiers were pinned down [1].", ev, matrix([[0.9, 0.2]]),
                        "What did he say about the soldiers?", "en")
    assert "The articles also say (in German): „Natürlich" in text
    # and to a German reader an English article's
    ev = [E(1, "The president said 50,000 soldiers were pinned down."),
          E(2, "Of course they will do everything so that more North Korean soldiers die.")]
    ev[1].score = 0.8
    text, _, _ = verify("Der Präsident sagte, 50.000 Soldaten würden gebunden [1].", ev, matrix([[0.9, 0.2]]),
                        "Was sagte er über die Soldaten?", "de")
    assert "Dazu heißt es in den Artikeln (auf Englisch): „Of course" in text


def test_nothing_is_added_when_the_best_evidence_is_cited_or_there_is_no_single_best():
    ev = [E(1, "Die USA schätzen 10.000 Soldaten."), E(2, "Laut Seoul sei die Anzahl auf 11.000 gestiegen.")]
    ev[1].score = 0.8
    _, _, stats = verify("Seoul puts the number at 11,000 [2].", ev, matrix([[0.5, 0.9]]))
    assert "added" not in stats
    ev[1].score = 0.5  # a tie: no sentence stands out as the answer
    text, _, stats = verify("The USA estimate 10,000 soldiers [1].", ev, matrix([[0.9, 0.5]]))
    assert text == "The USA estimate 10,000 soldiers. [1]" and "added" not in stats


def test_a_sentence_that_already_says_the_skipped_best_evidence_gets_its_number_not_a_quote():
    ev = [E(1, "Wir fordern alle auf, alles zu unterlassen, so Ebo."), E(2, "Ebo sprach vor dem Rat."),
          E(3, "„Wir fordern alle Beteiligten auf, alles zu unterlassen“, so Adedeji Ebo.")]
    ev[2].score = 0.8
    text, cites, stats = verify("Adedeji Ebo forderte alle auf, alles zu unterlassen [2].", ev,
                                matrix([[0.6, 0.85, 0.88]]), "Was sagte Adedeji Ebo?", "de")
    # [3], the best evidence, is a little closer than [2]: too little to re-cite; the sentence copies it
    assert text == "Adedeji Ebo forderte alle auf, alles zu unterlassen. [2] [3]" and stats["added"] == 1
    assert [e.number for e, *_ in cites] == [2, 3]
    # a paraphrase that leaves the point out gets the quote instead
    text, _, _ = verify("Adedeji Ebo sprach vor dem Rat [2].", ev, matrix([[0.6, 0.85, 0.88]]),
                        "Was sagte Adedeji Ebo?", "de")
    # the article's own quotation marks become the inner ones
    assert text.endswith("Dazu heißt es in den Artikeln: „‚Wir fordern alle Beteiligten auf, alles zu unterlassen‘, "
                         "so Adedeji Ebo.“ [3]")


def test_an_english_answer_that_only_copies_german_sentences_shows_them_as_labelled_quotes():
    a = E(1, "Laut Selenskyj wurden die Truppen in Kursk stationiert, haben aber noch nicht gekämpft.")
    b = E(2, "Die Ukraine hält in Kursk fast 50.000 Soldaten zurück, sagte Selenskyj am Montag.")
    a.score, b.score = 0.8, 0.7
    copied = f"{a.text} [1] {b.text} [2]"
    text, cites, stats = verify(copied, [a, b], matrix([[0.9, 0.3], [0.3, 0.9]]), "What did Zelensky say?", "en")
    assert text == f"The articles say (in German): „{a.text}“ [1] „{b.text}“ [2]"
    assert stats["language"] == 1 and [e.number for e, *_ in cites] == [1, 2]
    # the same copy for a German reader is an answer in the reader's language: left as it is
    text, _, stats = verify(copied, [a, b], matrix([[0.9, 0.3], [0.3, 0.9]]), "Was sagte Selenskyj?", "de")
    assert text == copied and "language" not in stats
    # one sentence in the reader's language: an answer, not a copy
    mixed = f"Zelensky said the troops were in Kursk but had not fought yet. [1] {b.text} [2]"
    text, _, stats = verify(mixed, [a, b], matrix([[0.9, 0.3], [0.3, 0.9]]), "What did Zelensky say?", "en")
    assert text.startswith("Zelensky said") and "language" not in stats


def test_a_sentence_that_runs_on_past_its_citation_keeps_the_clause_the_citation_holds():
    ev = [E(1, "„Sie sollten besorgt sein über die Schritte, die Nordkorea unternommen hat“, sagte der Sprecher "
               "des US-Außenministeriums, Matthew Miller, damals.")]
    text, cites, stats = verify("Matthew Miller is the spokesman of the US State Department, who said on April 15, "
                                "2018 that North Korea should worry [1].", ev, matrix([[0.7]]),
                                question="Who is Matthew Miller?")
    assert text == "Matthew Miller is the spokesman of the US State Department. [1]"
    assert stats["trimmed"] == 1 and stats["dropped"] == 0 and [e.number for e, *_ in cites] == [1]
    # nothing left that the citation holds: dropped as before
    text, _, stats = verify("Olaf Scholz is a spokesman, who said on April 15, 2018 that it was so [1].", ev,
                            matrix([[0.7]]), question="Who is Olaf Scholz?")
    assert text == "" and stats["dropped"] == 1 and "trimmed" not in stats



def test_a_leading_clause_its_citation_does_not_hold_moves_to_the_one_that_does():
    """The model cites the title and runs on with whom it says the words are from: what stands is its
    leading clause, cited to the sentence that holds it."""
    ev = [E(1, "USA: 8.000 Nordkoreanische Soldaten in Russland stationiert"),
          E(2, "Patel fügte hinzu, dass russische Streitkräfte nordkoreanische Truppen in Artillerie und "
               "Infanterieoperationen ausgebildet hätten.", doc="d2")]
    answer = "The Russians trained the North Korean soldiers in Artillerie and Infanterieoperationen, according to the United States [1]."
    text, cites, stats = verify(answer, ev, matrix([[0.3, 0.7]]), question="What did the Russians train them in?")
    assert text == "The Russians trained the North Korean soldiers in Artillerie and Infanterieoperationen. [2]"
    assert stats["trimmed"] == stats["recited"] == 1 and [e.number for e, *_ in cites] == [2]
    # not to a sentence that merely holds its words and says something else
    text, _, stats = verify(answer, ev, matrix([[0.3, 0.1]]), question="What did the Russians train them in?")
    assert text == "" and stats["dropped"] == 1


def test_what_a_person_said_about_a_country_must_be_said_about_it():
    """Miller's words on North Korea and Rutte's on Iran, each cited, do not tell what Miller said about Iran."""
    miller = "„Sie sollten besorgt sein über die Schritte, die Nordkorea unternommen hat“, sagte der Sprecher " \
             "des US-Außenministeriums, Matthew Miller, damals."
    rutte = E(2, "Rutte betonte die Rolle Chinas bei den iranischen Waffenlieferungen, bezahlt mit russischen Geldern.", doc="d2")
    answer = "Matthew Miller said one should worry about the steps North Korea has taken [1]."
    text, cites, stats = verify(answer + " Rutte spoke of Iranian arms deliveries [2].", [E(1, miller), rutte],
                                matrix([[0.8, 0.3], [0.2, 0.8]]), question="What did Matthew Miller say about Iran?")
    assert (text, cites, stats["topic"]) == ("", [], 1)
    # about what his words are about, or where his article is about it, the answer stands
    text, _, stats = verify(answer, [E(1, miller), rutte], matrix([[0.8, 0.3]]),
                            question="What did Matthew Miller say about North Korea?")
    assert text.endswith("[1]") and "topic" not in stats
    titled = Evidence(number=1, doc_id="d1", title="Iran im Fokus", text=miller, start=10, end=10 + len(miller), score=0.5)
    text, _, stats = verify(answer, [titled, rutte], matrix([[0.8, 0.3]]), question="What did Matthew Miller say about Iran?")
    assert text.endswith("[1]") and "topic" not in stats
    text, _, stats = verify("Rutte stressed China's role in Iranian arms deliveries [2].", [E(1, miller), rutte],
                            matrix([[0.3, 0.8]]), question="What did Rutte say about Iran?")
    assert text.endswith("[2]") and "topic" not in stats


def test_a_where_answer_without_any_place_gets_the_evidence_that_gives_one():
    ev = [E(1, "BRÜSSEL: Der US-Spitzendiplomat Antony Blinken warnte am Mittwoch vor einer Eskalation."),
          E(2, "Blinken wandte sich neben NATO-Chef Mark Rutte an Reporter.", doc="d2")]
    text, cites, stats = verify("Blinken spoke to reporters beside Mark Rutte [2].", ev, matrix([[0.3, 0.9]]),
                                question="Where was Blinken when he warned of an escalation?")
    assert text.endswith("„BRÜSSEL: Der US-Spitzendiplomat Antony Blinken warnte am Mittwoch vor einer Eskalation.“ [1]")
    assert stats["measure"] == 1
    # a place in the answer (a month is none): nothing added
    text, _, stats = verify("Blinken was in Brussels on Wednesday [1].", ev, matrix([[0.9, 0.2]]),
                            question="Where was Blinken?")
    assert "measure" not in stats and text == "Blinken was in Brussels on Wednesday. [1]"
