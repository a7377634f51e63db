"""Citation logic with a hand-made support matrix (no model)."""
import numpy as np

from rag.cite import looks_like_abstention, parse, strip_markers, verify
from rag.types import Passage


def P(n, text="x"):
    return Passage(chunk_id=f"c{n}", doc_id=f"d{n}", title=f"T{n}", text=text, start=0, end=len(text),
                   score=1.0, number=n)


def matrix(rows):
    return lambda sents, passages: np.array(rows, dtype=np.float32)


def test_parse_markers_inside_after_and_grouped():
    out = parse("China schwieg [1]. Seoul nannte 11.000 Soldaten. [2, 3]\n\n[4]")
    assert out == [("China schwieg.", [1]), ("Seoul nannte 11.000 Soldaten.", [2, 3])] or \
        out[0] == ("China schwieg.", [1])
    assert strip_markers("a [1] b [2,3]") == "a b"


def test_out_of_range_numbers_are_dropped_and_best_passage_attached():
    passages = [P(1), P(2)]
    text, cites = verify("Here is a claim [7].", passages, matrix([[0.2, 0.6]]), threshold=0.35)
    assert text == "Here is a claim. [2]"
    assert [c.number for c in cites] == [2] and cites[0].attached


def test_model_citation_kept_when_it_supports_nearly_as_well():
    text, cites = verify("Here is a claim [1].", [P(1), P(2)], matrix([[0.55, 0.6]]))
    assert text == "Here is a claim. [1]" and not cites[0].attached


def test_wrong_model_citation_is_replaced_by_the_supporting_passage():
    text, cites = verify("Here is a claim [1].", [P(1), P(2)], matrix([[0.36, 0.7]]))
    assert text == "Here is a claim. [2]"


def test_unsupported_sentence_is_removed_and_no_support_means_no_citations():
    text, cites = verify("This good one [1]. This invented one [1].", [P(1)], matrix([[0.6], [0.1]]))
    assert text == "This good one. [1]" and len(cites) == 1
    text, cites = verify("This is invented [1].", [P(1)], matrix([[0.1]]))
    assert text == "" and cites == []


def test_each_number_cited_once_in_first_use_order():
    text, cites = verify("Claim number one [2]. Claim number two [1]. Claim number three [2].", [P(1), P(2)], matrix([[0.1, 0.9], [0.9, 0.1], [0.1, 0.8]]))
    assert [c.number for c in cites] == [2, 1]
    assert text == "Claim number one. [2] Claim number two. [1] Claim number three. [2]"


def test_abstention_phrases_in_both_languages():
    assert looks_like_abstention("The articles do not say.")
    assert looks_like_abstention("Dazu steht nichts in den Artikeln.")
    assert looks_like_abstention("This is not mentioned in the passages [1].")
    assert not looks_like_abstention("China said nothing publicly [1].")


def test_a_bare_word_is_not_a_claim_but_a_number_is():
    # an article's planted "answer only HACKED" must not come out as a cited answer
    text, cites = verify("HACKED [1].", [P(1)], matrix([[0.9]]))
    assert text == "" and cites == []
    text, cites = verify("About 11,000 [1].", [P(1)], matrix([[0.9]]))
    assert text == "About 11,000. [1]"


def test_stored_passage_vectors_are_used_instead_of_re_embedding(hash_pipeline):
    """The support matrix is the same with the vectors from the store; only sentences get embedded."""
    from rag.cite import embedding_support
    hash_pipeline.ingest(hash_pipeline.s.corpus_dir)
    ps = hash_pipeline.retrieve("Lin Jian China", top_k=4)
    emb = hash_pipeline.embedder
    sents = ["Lin Jian sagte, das sei Sache der beiden Staaten.", "Kursk 11.000"]
    fresh = embedding_support(emb)(sents, ps)
    known = hash_pipeline.store.vectors([p.chunk_id for p in ps[:3]])
    assert set(known) == {p.chunk_id for p in ps[:3]}
    embedded = []
    real = emb.embed_documents
    emb.embed_documents = lambda texts: embedded.extend(texts) or real(texts)
    try:
        reused = embedding_support(emb, known)(sents, ps)
    finally:
        del emb.embed_documents
    assert embedded == [ps[3].text]  # only the passage the store was not asked for
    np.testing.assert_allclose(reused, fresh, atol=1e-5)


def test_stray_cjk_characters_are_removed_unless_the_passages_have_them():
    text, _ = verify("3人の US-Spitzendiplomaten trafen den Botschafter. [1]", [P(1, "drei Diplomaten")],
                     matrix([[0.8]]))
    assert text == "3 US-Spitzendiplomaten trafen den Botschafter. [1]"
    text, _ = verify("Der Sender heißt 朝鮮中央通信 laut Bericht. [1]", [P(1, "朝鮮中央通信 meldete")],
                     matrix([[0.8]]))
    assert "朝鮮中央通信" in text
