"""Late chunking: sentence vectors out of the forward pass that embeds their passage.

Encoding a passage already computes a contextual vector for each of its tokens; the mean of a
sentence's tokens, passed through the same head the passage's mean goes through (EmbeddingGemma:
two Dense layers, then normalize), is that sentence's vector. Ingest then costs one encode pass
instead of two (passages, then every sentence again on its own), and a sentence's vector knows its
context ("Er" is the minister named before). Pure functions here; the model glue is in embed.py.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def token_groups(offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]],
                 shift: int) -> list[list[int]]:
    """Per span (character offsets into the text): the indices of the tokens that overlap it.
    `offsets` are the tokenizer's, into prompt + text, so spans are moved right by `shift` (the
    prompt's length). Special tokens (empty offsets) and the space a token may carry in front
    of a sentence never count; a token straddling two sentences counts for both."""
    out = []
    for a, b in spans:
        a, b = a + shift, b + shift
        out.append([i for i, (s, e) in enumerate(offsets) if e > s and s < b and e > a])
    return out


def pool_spans(tokens: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Mean of each group's token vectors (zeros for an empty group). Only the sentence's own
    tokens: adding the prompt and special tokens (as a standalone sentence's mean has them) was
    tried and made sentences of one passage harder to tell apart (the closest standalone vector
    was another sentence's for 3 of 34 sentences, against 0 of 34 without)."""
    out = np.zeros((len(groups), tokens.shape[1]), dtype=np.float32)
    for k, g in enumerate(groups):
        if len(g):
            out[k] = tokens[list(g)].mean(axis=0)
    return out
