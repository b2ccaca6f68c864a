"""Turn utterances into lunr terms exactly as lunr.py's default Builder would.

lunr.py's own pipeline (trimmer, stop-word filter, Porter stemmer) runs once per
distinct raw token and is memoised; the tokenizer is lunr.py's separator set as a
regex, which splits identically to `lunr.tokenizer.Tokenizer` but ~50x faster
(tests/test_search.py holds the two together).
"""

from __future__ import annotations

import re
from collections import _count_elements  # what Counter counts with, in C
from collections.abc import Sequence
from dataclasses import dataclass

from lunr.builder import Builder
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS
from lunr.trimmer import trimmer

# Field order fixes lunr's term numbering (first appearance: doc, field, position).
FIELDS: tuple[tuple[str, int], ...] = (("text", 1), ("speaker", 2), ("title", 1))
K1 = 1.2
B = 0.75

_TOKEN = re.compile("[^" + re.escape(SEPARATOR_CHARS) + "]+")


def default_builder() -> Builder:
    """The lunr.py Builder the sharded index must agree with (tests build it too)."""
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, stemmer)
    builder.search_pipeline.add(stemmer)
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    return builder


def tokenize(value: str | None) -> list[str]:
    """lunr.py's Tokenizer for a string, without per-character Python work."""
    if value is None:
        return []
    return _TOKEN.findall(str(value).lower())


class TermPipeline:
    """lunr.py's indexing pipeline, memoised per raw token."""

    def __init__(self) -> None:
        self._pipeline = default_builder().pipeline
        self._memo: dict[str, str | None] = {}

    def term(self, raw: str) -> str | None:
        try:
            return self._memo[raw]
        except KeyError:
            out = self._pipeline.run([Token(raw)])
            term = str(out[0]) if out else None
            self._memo[raw] = term
            return term


@dataclass(frozen=True)
class FieldTerms:
    """One field of one document: its length in terms and term frequencies in
    order of first appearance (a dict keeps that order, as lunr.py's does)."""

    length: int
    frequencies: dict[str, int]


def analyse_field(value: str | None, pipeline: TermPipeline) -> FieldTerms:
    memo = pipeline._memo
    tokens = tokenize(value)
    frequencies: dict[str | None, int] = {}
    try:  # Counter's own C loop, over the memo's terms: in order of first appearance
        _count_elements(frequencies, map(memo.__getitem__, tokens))
    except KeyError:  # a token not met before: the pipeline, then the memo has them all
        for raw in tokens:
            pipeline.term(raw)
        frequencies = {}
        _count_elements(frequencies, map(memo.__getitem__, tokens))
    dropped = frequencies.pop(None, 0)  # stop words and tokens the pipeline removes
    return FieldTerms(len(tokens) - dropped, frequencies)


def analyse(values: Sequence[tuple[str, str, str]], pipeline: TermPipeline) -> list[tuple[FieldTerms, ...]]:
    """Each (text, speaker, title) triple as one FieldTerms per field."""
    memo: dict[str, FieldTerms] = {}  # speakers and titles repeat
    out = []
    for text, speaker, title in values:
        s = memo.get(speaker)
        if s is None:
            s = memo[speaker] = analyse_field(speaker, pipeline)
        t = memo.get(title)
        if t is None:
            t = memo[title] = analyse_field(title, pipeline)
        out.append((analyse_field(text, pipeline), s, t))
    return out
