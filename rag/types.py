"""Typed records passed between the stages (load -> chunk -> embed -> store -> retrieve -> answer)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    doc_id: str  # file name relative to the corpus folder: stable across runs
    title: str
    source: str  # path or URL the text came from
    text: str
    sha256: str
    date: str = ""  # publication date, ISO "YYYY-MM-DD"; "" when unknown
    site: str = ""  # publication, e.g. "DW", "The Guardian", or the host name
    author: str = ""
    url: str = ""  # canonical URL when known


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    title: str
    source: str
    text: str
    start: int  # character offsets into Document.text
    end: int
    index: int
    n_chunks: int
    doc_sha256: str
    date: str = ""
    site: str = ""
    url: str = ""


@dataclass
class Passage:
    chunk_id: str
    doc_id: str
    title: str
    text: str
    start: int
    end: int
    score: float
    source: str = ""
    dense_score: float = 0.0
    lexical_score: float = 0.0
    sentence_score: float = 0.0  # best cosine of one of its sentences
    number: int = 0  # position [n] in the prompt, 1-based; 0 = not numbered
    date: str = ""  # the article's publication date, ISO; "" when unknown
    site: str = ""
    url: str = ""


@dataclass
class Evidence:
    """One sentence of an article, chosen to answer the question; numbered [n] in the prompt."""
    number: int
    doc_id: str
    title: str
    text: str
    start: int  # character offsets of the sentence in its article
    end: int
    score: float  # how well it answers the question (cosine to the query, plus key-term bonus)
    chunk_id: str = ""  # the passage it was found in (its context in the sources panel)
    source: str = ""
    neighbour: bool = False  # added for context (a pronoun, a quote's speaker), not for its score
    date: str = ""  # the article's publication date, ISO; "" when unknown
    site: str = ""


@dataclass
class Citation:
    number: int
    passage: Passage  # the sentence's passage: the context shown around it
    sentence: str  # the answer sentence that cites it
    support: float  # how well the evidence supports the sentence, 0..1
    attached: bool = False  # True when the pipeline added it because the model cited nothing
    evidence: Evidence | None = None  # the cited article sentence itself (exact span)

    # flat access, so a citation reads like the passage it points at
    @property
    def text(self) -> str:
        return self.passage.text

    @property
    def doc_id(self) -> str:
        return self.passage.doc_id

    @property
    def title(self) -> str:
        return self.passage.title

    @property
    def start(self) -> int:
        return self.evidence.start if self.evidence else self.passage.start

    @property
    def end(self) -> int:
        return self.evidence.end if self.evidence else self.passage.end

    @property
    def quote(self) -> str:
        """The exact article text the citation points at."""
        return self.evidence.text if self.evidence else self.passage.text


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    abstained: bool = False
    missing: list[str] = field(default_factory=list)  # what the question asks about that no evidence holds
    check: dict[str, int] = field(default_factory=dict)  # what the citation check did (rag.cite.verify)
    language: str = "en"
    standalone_question: str = ""
    backend: str = ""
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # doc_id -> reason
    duplicates: dict[str, str] = field(default_factory=dict)  # doc_id -> doc_id it duplicates
    chunks_written: int = 0
    seconds: float = 0.0
    optimize_seconds: float | None = None  # Edge's HNSW build at the end, when it ran

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated",
                 f"{len(self.unchanged)} unchanged", f"{len(self.removed)} removed"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicate(s) skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        opt = f" (search index built in {self.optimize_seconds:.1f}s)" if self.optimize_seconds is not None else ""
        return ", ".join(parts) + f"; {self.chunks_written} chunks written in {self.seconds:.1f}s{opt}"
