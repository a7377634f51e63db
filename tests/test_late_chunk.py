"""Late chunking (issue #12): sentence vectors pooled out of their passage's forward pass.
Pure span/pooling logic with made-up offsets; the real model is `slow`."""
from __future__ import annotations

import numpy as np
import pytest

from rag.late_chunk import pool_spans, token_groups

# "P: " + "Ab cd. Ef." tokenized as [BOS] "P" ":" " Ab" " cd" "." " Ef" "." [EOS]
OFFSETS = [(0, 0), (0, 1), (1, 2), (2, 5), (5, 8), (8, 9), (9, 12), (12, 13), (0, 0)]


def test_tokens_of_each_sentence_are_found_after_the_prompt():
    # sentences "Ab cd." (0, 6) and "Ef." (7, 10) of the text; the prompt "P: " is 3 characters
    assert token_groups(OFFSETS, [(0, 6), (7, 10)], shift=3) == [[3, 4, 5], [6, 7]]


def test_special_tokens_and_prompt_never_belong_to_a_sentence():
    groups = token_groups(OFFSETS, [(0, 10)], shift=3)
    assert groups == [[3, 4, 5, 6, 7]]
    assert token_groups(OFFSETS, [(0, 2)], shift=3) == [[3]]  # a part of " Ab" is the token " Ab"


def test_a_token_across_a_boundary_counts_for_both_sentences():
    offsets = [(0, 0), (0, 4), (4, 7), (7, 9), (0, 0)]  # "ab. Cd" with ". C" one token (4, 7)
    assert token_groups(offsets, [(0, 5), (6, 9)], shift=0) == [[1, 2], [2, 3]]


def test_pool_is_the_mean_of_the_groups_tokens_and_zero_when_empty():
    tok = np.arange(12, dtype=np.float32).reshape(6, 2)
    got = pool_spans(tok, [[0, 2], [5], []])
    assert np.allclose(got, [[2, 3], [10, 11], [0, 0]]) and got.dtype == np.float32


@pytest.mark.slow
def test_late_vectors_with_the_real_model(real_embedder):
    text = ("Der Bundestag hat am Donnerstag das neue Heizungsgesetz beschlossen. "
            "In Kenia hat eine Dürre die Maisernte vernichtet. "
            "Der FC Bayern gewann das Pokalfinale mit 3:1 gegen Leipzig.")
    spans = [(0, 68), (69, 118), (119, len(text))]
    assert [text[a:b][-1] for a, b in spans] == [".", ".", "."]
    other = "Kurzer zweiter Text ohne viel Inhalt."
    pv, sv = real_embedder.embed_documents_with_spans([text, other], [spans, [(0, len(other))]])
    # the passage vectors are those of the plain encode call (up to bfloat16 rounding, which moves
    # with the padding of the batch: ~1e-4 per component here)
    plain = real_embedder.embed_documents([text, other])
    assert np.allclose(pv, plain, atol=1e-5 if real_embedder.dtype == "float32" else 1e-3)
    assert (pv * plain).sum(axis=1).min() > 0.9999
    assert [s.shape for s in sv] == [(3, real_embedder.dim), (1, real_embedder.dim)]
    assert np.allclose(np.linalg.norm(sv[0], axis=1), 1, atol=1e-5)
    # each late vector is closest to its own sentence embedded alone
    alone = real_embedder.embed_documents([text[a:b] for a, b in spans])
    sim = sv[0] @ alone.T
    assert list(sim.argmax(1)) == [0, 1, 2]
    assert sim.diagonal().min() > 0.7
