from rag.chunk import chunk_document, clause_spans, split_sentences
from rag.load import parse


def sents(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_german_dates_abbreviations_and_numbers_are_not_sentence_ends():
    text = ("Putin und Kim unterzeichneten am 19. Juni einen Vertrag. Es gibt z.B. Artillerie, u.a. Drohnen. "
            "Die USA nennen 8.000 Soldaten. Robert A. Wood sprach. Dr. Müller widersprach.")
    assert sents(text) == [
        "Putin und Kim unterzeichneten am 19. Juni einen Vertrag.",
        "Es gibt z.B. Artillerie, u.a. Drohnen.",
        "Die USA nennen 8.000 Soldaten.",
        "Robert A. Wood sprach.",
        "Dr. Müller widersprach.",
    ]


def test_question_marks_quotes_and_newlines_end_sentences():
    text = "„Wer zahlt?“ Niemand weiß es!\nNeue Zeile ohne Punkt\n\nAbsatz."
    assert sents(text) == ["„Wer zahlt?“", "Niemand weiß es!", "Neue Zeile ohne Punkt", "Absatz."]


def test_year_at_sentence_end_still_splits():
    assert len(sents("Der Krieg begann 2022. Danach kam mehr.")) == 2


def test_chunks_have_offsets_into_the_source_and_stable_ids():
    doc = parse(("Satz Nummer eins ist hier. " * 40).encode(), "a.txt")
    chunks = chunk_document(doc, max_chars=200, overlap=1)
    assert len(chunks) > 3
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        assert len(c.text) <= 200
        assert c.n_chunks == len(chunks)
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in chunk_document(doc, 200, 1)]
    # overlap: each chunk starts inside the one before it
    assert all(b.start < a.end for a, b in zip(chunks, chunks[1:]))


def test_sentence_longer_than_the_limit_stands_alone():
    doc = parse(("Kurz. " + "lang " * 100 + "ende. Kurz.").encode(), "b.txt")
    chunks = chunk_document(doc, max_chars=100, overlap=0)
    assert any(len(c.text) > 100 for c in chunks)
    assert "".join(c.text for c in chunks).count("Kurz.") == 2


def test_changed_text_changes_ids():
    a = chunk_document(parse(b"Eins ist gut. Zwei ist gut.", "x.txt"))
    b = chunk_document(parse(b"Eins ist gut. Drei ist gut.", "x.txt"))
    assert a[0].chunk_id != b[0].chunk_id


PATEL = ("„Einige der Herausforderungen, die sie bewältigen müssten, sind Interoperabilität, Sprachbarriere, "
         "Führung und Kommunikation“, sagte Patel und fügte hinzu, dass russische Streitkräfte nordkoreanische "
         "Truppen in Artillerie, unbemannten Luftfahrzeugen und grundlegenden Infanterieoperationen ausgebildet hätten.")


def test_a_long_sentence_is_divided_into_its_clauses():
    text = "Patel sprach am Dienstag. " + PATEL + " Mehr sagte er nicht."
    spans = split_sentences(text)
    got = clause_spans(text, spans)
    assert [text[a:b] for a, b in got] == [  # "sagte Patel und fügte hinzu" is too short to stand alone
        PATEL[:PATEL.index(", dass")],
        PATEL[PATEL.index("dass russische"):]]
    assert clause_spans(text, spans, min_sentence=len(PATEL)) == []  # only sentences longer than that


def test_a_list_or_a_sentence_without_a_clause_is_not_divided():
    items = "Artillerie, Drohnen, Panzern, Raketen, Minen, Funkgeräten, Nachtsichtgeräten, Schutzwesten"
    text = f"Die Soldaten wurden in {items} und vielem mehr ausgebildet, berichtet ein langer Bericht aus Kiew über Wochen."
    assert clause_spans(text, split_sentences(text), min_sentence=100) == []
