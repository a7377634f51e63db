"""Citation markers in the model's text ("[2]", "[2, 3]", a marker before its sentence or after
its full stop) and the answers that say the articles hold nothing: read the same way by the
citation check, the UI and the eval."""
from __future__ import annotations

import re

from .chunk import split_sentences

CITE = r"\[(\d+(?:\s*[,;]\s*\d+)*)\]"  # [2], [2, 3]
MARKER = re.compile(r"\s*" + CITE)

_NOT_FOUND = re.compile(
    r"(do(es)? not (say|mention|contain|provide|state)|steht das nicht|no information|not (mentioned|stated|specified)|"
    r"cannot be (found|determined|answered)|nicht (erwähnt|genannt|angegeben|enthalten)|"
    r"keine (angaben|informationen)|steht nichts|geben (darauf )?keine)", re.I)


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


_TRAIL = re.compile(rf"(?:[ \t]*{CITE})+")
_LEADING = re.compile(rf"^[ \t]*({CITE})[ \t]*(.+?)[ \t]*$", re.M)


def parse(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer with the numbers cited in each (markers removed from the text)."""
    # without a repeat penalty the model now and then answers in the evidence's own layout,
    # "[2] sentence" per line: that marker belongs to the sentence after it, not before
    if _LEADING.match(text.lstrip("\n")):
        text = _LEADING.sub(lambda m: f"{m.group(3)} {m.group(1)}", text)
    out, taken = [], 0
    spans = split_sentences(text)
    for s, e in spans:
        # a marker written after the sentence's full stop belongs to that sentence, and only to it
        # (the splitter starts the next sentence at the marker)
        seg = text[max(s, taken):e] if e > taken else ""
        trail = _TRAIL.match(text, e)
        if trail:
            seg += trail.group(0)
            taken = trail.end()
        nums = [int(n) for m in MARKER.finditer(seg) for n in re.split(r"[,;]", m.group(1))]
        sent = strip_markers(seg)
        if sent and not re.fullmatch(r"[\W\d]*", sent):
            out.append((sent, nums))
    return out


def looks_like_abstention(text: str) -> bool:
    return bool(_NOT_FOUND.search(strip_markers(text)))
