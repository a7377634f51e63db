"""Where a question's gold quotes are: their spans in the articles, and which retrieved passages
or cited sentences cover them. White space of any kind matches any other."""
from __future__ import annotations

import re
from collections.abc import Sequence

_WS = re.compile(r"\s+")


def norm_ws(text: str) -> str:
    """Whitespace-insensitive form: NBSP and runs of any white space become one space."""
    return _WS.sub(" ", text.replace("\u00a0", " ")).strip()


def locate(quote: str, doc_text: str) -> tuple[int, int] | None:
    """Character span of `quote` in `doc_text`, matching white space of any kind and length."""
    toks = quote.split()  # str.split also splits on NBSP
    if not toks:
        return None
    m = re.search(r"\s+".join(re.escape(t) for t in toks), doc_text)
    return (m.start(), m.end()) if m else None


class GoldIndex:
    """Decides whether a retrieved passage is one of a question's gold passages.

    A passage is gold for a gold quote when it comes from the quote's document and either holds
    the quote (after normalizing white space on both sides) or overlaps the quote's character span
    in the document text (offsets as produced by rag.load, which chunks and llama-index nodes share).
    A quote with `"same_as": i` is another article's wording of quote i (the same statement,
    reported twice): covering it covers quote i, so it is a right citation without being one more
    quote an answer has to cover.
    """

    def __init__(self, docs: dict[str, str]) -> None:
        self.docs = docs  # doc_id -> document text
        self._spans: dict[tuple[str, str], tuple[int, int] | None] = {}

    def span(self, doc_id: str, quote: str) -> tuple[int, int] | None:
        key = (doc_id, quote)
        if key not in self._spans:
            text = self.docs.get(doc_id)
            self._spans[key] = locate(quote, text) if text is not None else None
        return self._spans[key]

    def matches(self, passage, gold: Sequence[dict]) -> list[int]:
        """Indices of the gold quotes this passage covers (empty: not a gold passage)."""
        out = []
        ptext = None
        for gi, g in enumerate(gold):
            if passage.doc_id != g["doc_id"]:
                continue
            if ptext is None:
                ptext = norm_ws(passage.text)
            idx = g.get("same_as", gi)
            if idx in out:
                continue
            if norm_ws(g["quote"]) in ptext:
                out.append(idx)
                continue
            sp = self.span(g["doc_id"], g["quote"])
            if sp and passage.end is not None and passage.start is not None \
                    and min(sp[1], passage.end) > max(sp[0], passage.start):
                out.append(idx)
        return sorted(out)


def n_gold(gold: Sequence[dict]) -> int:
    """The statements a question's answer should cite: its gold quotes less the other wordings."""
    return sum(1 for g in gold if "same_as" not in g)


# -- retrieval --------------------------------------------------------------------------------
