"""Answer -> plain dict / HTML, shared by the CLI's --json, the UI and the eval.

Every piece of article or model text goes through `esc` before it is put into markup: an article
is untrusted input, and the UI's HTML panel shows whatever markup it is given."""
from __future__ import annotations

import html
import re
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from ..markers import CITE
from ..errors import RagError
from ..load import load_file
from ..types import Answer, IngestReport, Passage

MARKER = re.compile(CITE)  # the markers the citation check reads, and no others
WINDOW = 280  # characters of article context shown on each side of a cited passage


def answer_to_dict(ans: Answer) -> dict:
    return {
        "question": ans.question, "text": ans.text, "abstained": ans.abstained, "language": ans.language,
        "standalone_question": ans.standalone_question, "backend": ans.backend, "timings": ans.timings,
        "citations": [{"number": c.number, "sentence": c.sentence, "support": c.support,
                       "attached": c.attached, **asdict(c.passage), "quote": c.quote,
                       "start": c.start, "end": c.end,
                       "passage": {"start": c.passage.start, "end": c.passage.end}} for c in ans.citations],
        "passages": [asdict(p) for p in ans.passages],
        "evidence": [asdict(e) for e in ans.evidence], "missing": list(ans.missing), "check": dict(ans.check),
    }


def esc(text) -> str:
    return html.escape(str(text or ""), quote=True)


def link_markers(text: str, known: set[int] | None = None) -> str:
    """Escape `text`, then turn `[n]` / `[1, 2]` into links to the source cards (#src-n).
    Numbers without a card (`known` given and n not in it) stay plain text."""
    def repl(m: re.Match) -> str:
        nums = [int(n) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        return "".join(f'<a class="cite" href="#src-{n}">[{n}]</a>' if known is None or n in known
                       else f"[{n}]" for n in nums)
    # escaping leaves digits, brackets and commas alone, so markers survive it unchanged
    return MARKER.sub(repl, esc(text)).replace("\n", "<br>")


def answer_html(ans: Answer) -> str:
    """The chat bubble for a finished answer."""
    if ans.abstained:
        return (f'<div class="abstain"><b>Not in the articles.</b> {esc(ans.text)}</div>')
    return link_markers(ans.text, {c.number for c in ans.citations})


def partial_html(text: str) -> str:
    """The chat bubble while tokens arrive: raw model text, markers not yet verified."""
    return esc(text).replace("\n", "<br>") + ' <span class="cursor">▌</span>'


def _snap(text: str, i: int, forward: bool) -> int:
    """Move a window edge to the nearest whitespace so it does not cut a word in half."""
    lo, hi = (i, min(len(text), i + 40)) if forward else (max(0, i - 40), i)
    seg = text[lo:hi]
    k = (seg.find(" ") if forward else seg.rfind(" "))
    return i if k < 0 else lo + k + (0 if forward else 1)


@lru_cache(maxsize=64)
def _doc_text(path: str, corpus: str, mtime_ns: int) -> str | None:
    try:
        return load_file(Path(path), Path(corpus)).text
    except (RagError, OSError):
        return None


def doc_texts(corpus_dir: Path, doc_ids) -> dict[str, str | None]:
    """Normalized article text per doc_id (what passage offsets index into); None where the file
    is unreadable or would lie outside the corpus folder. Cached until the file changes."""
    root, out = Path(corpus_dir).resolve(), {}
    for d in set(doc_ids):
        path = (root / d).resolve()
        try:
            inside = path.is_relative_to(root) and path != root
            out[d] = _doc_text(str(path), str(root), path.stat().st_mtime_ns) if inside else None
        except OSError:
            out[d] = None
    return out


def highlight(doc_text: str | None, p: Passage, span: tuple[int, int] | None = None,
              window: int = WINDOW) -> str:
    """`span` (default: the whole passage) marked inside a window of its article. Offsets index the
    normalized article text; if they no longer match (file edited since ingest, or no file: an
    article added from a URL), the passage itself is the context."""
    start, end = span or (p.start, p.end)
    if doc_text and doc_text[p.start:p.end] == p.text:
        text, base = doc_text, 0
    elif p.start <= start and end <= p.end:
        text, base, window = p.text, p.start, len(p.text)
    else:
        return f"<mark>{esc(p.text)}</mark>"
    s, e = start - base, end - base
    a = 0 if s <= window else _snap(text, s - window, True)
    b = len(text) if e + window >= len(text) else _snap(text, e + window, False)
    return (("… " if a > 0 else "") + esc(text[a:s]) + f"<mark>{esc(text[s:e])}</mark>" + esc(text[e:b])
            + (" …" if b < len(text) else ""))


def nice_date(iso: str) -> str:
    """'2020-01-19' -> '19 Jan 2020': no reader has to parse ISO; '' stays ''."""
    try:
        y, m, d = (int(x) for x in iso.split("-"))
        return f"{d} {'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[m - 1]} {y}"
    except (ValueError, IndexError):
        return iso


def origin_html(p: Passage) -> str:
    """Site and date of the article, the site linked to its URL (http(s) only)."""
    site = esc(p.site or "")
    url = p.url or (p.source if p.source.startswith(("http://", "https://")) else "")
    if site and url.startswith(("http://", "https://")):
        site = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">{site}</a>'
    parts = [x for x in (site, esc(nice_date(p.date))) if x]
    return f'<div class="origin">{" · ".join(parts)}</div>' if parts else ""


def source_card(p: Passage, doc_text: str | None, sentence: str = "", support: float | None = None,
                anchor: bool = True, number: int | None = None, span: tuple[int, int] | None = None) -> str:
    """One source: [n], the article, and the cited sentence (`span`) marked in its context."""
    n = p.number if number is None else number
    ident = f' id="src-{n}"' if anchor else ""
    a, b = span or (p.start, p.end)
    meta = f"{esc(p.doc_id)} · characters {a}–{b}"
    if support is not None:
        meta += f" · support {support:.2f}"
    claim = f'<div class="claim">“{esc(sentence)}”</div>' if sentence else ""
    title = p.title if len(p.title) <= 140 else p.title[:139] + "…"
    return (f'<div class="src"{ident}><div class="src-head"><span class="num">[{n}]</span> '
            f'<b>{esc(title)}</b></div>{origin_html(p)}<div class="meta">{meta}</div>{claim}'
            f'<div class="ctx">{highlight(doc_text, p, span)}</div></div>')


def sources_html(ans: Answer, docs: dict[str, str | None]) -> str:
    """Cited sentences, one card each in the order the answer first cites them, each marked in
    its article."""
    if ans.abstained or not ans.citations:
        return ('<div class="src-empty">No sentence of the articles supports an answer. What the search '
                'found is listed under “Other evidence”.</div>')
    return "".join(source_card(c.passage, docs.get(c.doc_id), c.sentence, c.support, number=c.number,
                               span=(c.start, c.end)) for c in ans.citations)


def uncited_html(ans: Answer, docs: dict[str, str | None]) -> str:
    """The evidence the model was shown but did not cite (or, without evidence, the passages)."""
    cited = {c.number for c in ans.citations}
    by_chunk = {p.chunk_id: p for p in ans.passages}
    rest = [e for e in ans.evidence if e.number not in cited and e.chunk_id in by_chunk]
    if rest:
        return "".join(source_card(by_chunk[e.chunk_id], docs.get(e.doc_id), number=e.number,
                                   span=(e.start, e.end), anchor=False) for e in rest)
    plain = [p for p in ans.passages if p.number not in cited] if not ans.evidence else []
    if plain:  # an answer made without evidence sentences (older callers, tests of the panel)
        return "".join(source_card(p, docs.get(p.doc_id)) for p in plain)
    return '<div class="src-empty">Every sentence shown to the model is cited above.</div>'


def status_html(ans: Answer) -> str:
    """Which backend answered and how long each stage took."""
    t = ans.timings
    who = (f"Answered by <code>{esc(ans.backend)}</code>" if ans.backend
           else "No model call: no passage was close enough to the question")
    parts = [f"total {t.get('total_s', 0):.1f}s"]
    for key, label in (("ttft_s", "first token"), ("retrieve_s", "retrieval"),
                       ("generate_s", "generation"), ("cite_s", "citation check")):
        if key in t:
            parts.append(f"{label} {t[key]:.1f}s")
    badge = '<span class="badge abstained">not in the articles</span> ' if ans.abstained else ""
    return f'<div class="status">{badge}{who} · {" · ".join(parts)}</div>'


def message_html(text: str, kind: str = "info") -> str:
    return f'<div class="status {esc(kind)}">{esc(text)}</div>'


def report_html(rep: IngestReport, rejected: dict[str, str] | None = None) -> str:
    """The ingest summary plus one line per file that was not indexed, and why."""
    problems = {**(rejected or {}), **rep.failed,
                **{d: f"same text as {o}; not indexed twice" for d, o in rep.duplicates.items()}}
    # loader messages already start with the file name; do not print it twice
    items = "".join(f"<li><code>{esc(n)}</code>: {esc(str(why).removeprefix(f'{n}: '))}</li>"
                    for n, why in problems.items())
    lines = f'<ul class="errors">{items}</ul>' if items else ""
    return f'<div class="status">{esc(rep.summary())}</div>{lines}'


# the page's style: its own file, like the prompts, so it is edited as CSS
CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
