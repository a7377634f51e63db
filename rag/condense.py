"""Stage 3a: a follow-up question ("And what did he say about China?") rewritten by the LLM into
one that stands alone, so that retrieval and evidence selection search for what the user means.
The small model sometimes answers instead of rewriting, asks the earlier question again, or drops
the very name the follow-up is about: such a rewrite is replaced by the user's recent turns followed
by the question."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from . import lang, prompt
from . import terms as T


def keeps_keys(question: str, rewritten: str, language: str = "en") -> bool:
    """Names and numbers of the follow-up survive the rewrite, in any spelling the key terms know
    ("Pekings" rewritten as "Beijing's"). A capitalized word mid-sentence is a name in English;
    in German it is as often a noun ("Reaktion"), which a rewrite may word differently."""
    words = re.findall(r"\w[\w.,-]*", question)
    keys = [w.strip(".,") for i, w in enumerate(words) if (i > 0 and w[0].isupper()) or w[0].isdigit()]
    known = {t.text.lower(): t for t in T.key_terms(question, language)}
    for k in keys:
        if k.lower() in rewritten.lower():
            continue
        term = known.get(k.lower())
        if term is not None:
            if not T.present(term, rewritten):
                return False
        elif language != "de" or k[0].isdigit():
            return False
    return True


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{3,}", text.lower()))


# words a rewrite is meant to replace ("this treaty" -> "the treaty of June 19")
_DEICTIC = {"this", "that", "these", "those", "there", "then", "dies", "diese", "dieser", "dieses", "diesem",
            "diesen", "dort", "damals", "darauf", "dazu", "darüber", "denn", "also", "noch"}


def keeps_content(question: str, rewritten: str, language: str) -> bool:
    """The rewrite still asks the follow-up's own question: at least half of its words (4+ letters,
    compared by their first 5) come back. A rewrite that is the earlier question again ("Was sagte
    Cho Tae-yul?" for "Und wozu ist Seoul laut ihm bereit?") keeps the name but not the question.
    A rewrite into another language cannot be compared word by word and passes."""
    if lang.detect(rewritten) != language:
        return True
    words = [w for w in re.findall(r"\w{4,}", question.lower()) if w not in _DEICTIC]
    have = {w[:5] for w in re.findall(r"\w{4,}", rewritten.lower())}
    return not words or sum(w[:5] in have for w in words) * 2 >= len(words)


def usable(question: str, rewritten: str, language: str, history_text: str) -> bool:
    """Not empty, not an answer (far longer), carries something over from the conversation that
    the follow-up lacks (a word of the history: "Seoul" -> "... Seoul say about the number of
    soldiers"), and keeps every name and number of the follow-up. A rewrite into another language
    than the conversation's cannot share its words: it must at least be longer than the follow-up."""
    if not rewritten or len(rewritten) > 3 * len(question) + 200:
        return False
    history_lang = lang.detect(history_text)
    if lang.detect(rewritten) != history_lang:
        carried = len(rewritten) >= len(question) + 8
    else:
        carried = bool((_words(rewritten) - _words(question)) & _words(history_text)) or any(
            T.present(t, rewritten) and not T.present(t, question)  # "Russland" -> "Russlands"
            for t in T.key_terms(history_text, history_lang) if t.kind != "event")
    return carried and keeps_keys(question, rewritten, language) and keeps_content(question, rewritten, language)


def condense(complete: Callable[[list[dict], int], str], prompts_dir: Path, question: str,
             history: list[dict[str, str]], language: str, max_tokens: int) -> str:
    """complete(messages, max_tokens) -> the model's reply."""
    if not history:
        return question
    text = prompt.render(prompts_dir, "condense", history=prompt.format_history(history),
                         question=question, language=lang.language_name(language))
    out = complete([{"role": "user", "content": text}], max_tokens)
    out = out.strip().splitlines()[0].strip().strip('"“”„').strip() if out.strip() else ""
    if not usable(question, out, language, " ".join(t["content"] for t in history)):
        out = f"{_recent_user_turns(history)} {question}".strip()
    return out


def _recent_user_turns(history: list[dict[str, str]], budget: int = 300) -> str:
    """The user's last turns, as many as fit the budget (at least one), in their order: the last
    turn alone may itself be a follow-up ("Und laut Seoul?")."""
    turns: list[str] = []
    for t in reversed(history):
        if t.get("role") != "user":
            continue
        if turns and sum(map(len, turns)) + len(t["content"]) > budget:
            break
        turns.insert(0, t["content"])
    return " ".join(turns)
