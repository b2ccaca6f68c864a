"""Markdown transcripts: YAML front matter, then pandoc-style hard-wrapped paragraphs.

Lines of a paragraph are joined; a pandoc hard break (two trailing spaces or a
backslash) ends a block, and so does a line that plainly opens a turn (`MS. PSAKI:`,
`Q    text`), because the wrapped sources sometimes lack the blank line between turns.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from generator.config import load_yaml
from generator.errors import error, warning
from generator.parse.header import read_end, read_header
from generator.parse.records import RawTranscript
from generator.parse.text import DateError, collapse, find_date, normalize_line
from generator.parse.turns import Block, build_turns, match_label

_FENCE = "---"
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_BLOCK_START = re.compile(r"^(?:#{1,6} +|[-*+] {1,4}(?=\S)|\d{1,3}[.)] {1,4}(?=\S)|> ?)")
_STRICT_TURN = re.compile(r"^(?:Q {2,}\S|[A-Z][A-Z.'’\- ]+:(?: |$))")


def has_front_matter(lines: list[str]) -> bool:
    return bool(lines) and lines[0].lstrip("\ufeff").rstrip() == _FENCE


def parse_markdown(path: str, lines: list[str]) -> RawTranscript:
    transcript = RawTranscript(path, "markdown")
    body_start = 0
    front_matter = has_front_matter(lines)
    if front_matter:
        body_start = _front_matter(transcript, lines)
    blocks = markdown_blocks(lines, body_start)
    dated = transcript.date is not None
    if not front_matter and blocks:  # a hand-written file may open with `# Title`
        transcript.title = collapse(blocks[0].text.lstrip("# "))
        blocks = blocks[1:]
    start = read_header(transcript, blocks, dated)
    body = read_end(transcript, blocks[start:])
    transcript.turns, diagnostics = build_turns(path, body)
    transcript.diagnostics.extend(diagnostics)
    return transcript


# ---- front matter ------------------------------------------------------------------


def _front_matter(transcript: RawTranscript, lines: list[str]) -> int:
    """Read the YAML between the fences; return the index of the first body line."""
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE)
    except StopIteration:
        transcript.diagnostics.append(
            error(
                transcript.path, 1, "front-matter", "front matter opened with '---' is never closed"
            )
        )
        return len(lines)
    try:
        meta = load_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        transcript.diagnostics.append(
            error(
                transcript.path, line, "front-matter", f"front matter is not valid YAML: {problem}"
            )
        )
        return end + 1
    if not isinstance(meta, dict):
        transcript.diagnostics.append(
            error(
                transcript.path,
                2,
                "front-matter",
                "front matter is not a mapping of keys to values",
            )
        )
        return end + 1
    _apply_meta(transcript, meta, _key_lines(lines, end))
    return end + 1


def _key_lines(lines: list[str], end: int) -> dict[str, int]:
    keys = {}
    for index in range(1, end):
        key, sep, _ = lines[index].partition(":")
        if sep and key and not key[0].isspace():
            keys[key.strip()] = index + 1
    return keys


def _text(value: object) -> str | None:
    if value is None:
        return None
    return collapse(normalize_line(str(value))) or None


def _apply_meta(transcript: RawTranscript, meta: dict, key_lines: dict[str, int]) -> None:
    transcript.title = _text(meta.get("title")) or ""
    transcript.kind = _text(meta.get("kind"))
    transcript.place = _text(meta.get("place") or meta.get("location"))
    transcript.time = _text(meta.get("time"))
    transcript.source_url = _text(meta.get("source_url"))
    speakers = meta.get("speakers") or []
    if isinstance(speakers, str):
        speakers = [speakers]
    transcript.speakers = [s for s in (_text(v) for v in speakers) if s]
    if "date" in meta:
        transcript.date = _meta_date(transcript, meta["date"], key_lines.get("date", 1))


def _meta_date(transcript: RawTranscript, value: object, line: int) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        date = find_date(str(value))
    except DateError as exc:
        date, reason = None, str(exc)
    else:
        reason = f"'{value}' is not a date"
    if date is None:
        transcript.diagnostics.append(
            warning(transcript.path, line, "date", f"date unreadable: {reason}")
        )
    return date


# ---- paragraphs ----------------------------------------------------------------------


def markdown_blocks(lines: list[str], start: int) -> list[Block]:
    """Join wrapped lines into blocks, one per paragraph, list item or hard-broken line."""
    blocks: list[Block] = []
    current: list[str] = []
    first = 0

    def flush() -> None:
        if current:
            blocks.append(Block(first, " ".join(current), markdown=True))
            current.clear()

    for number in range(start, len(lines)):
        raw = lines[number]  # normalised by parse_transcript
        text = raw.strip()
        if not text:
            flush()
            continue
        starts = _BLOCK_START.match(text)
        if current and (starts or (_STRICT_TURN.match(text) and match_label(text))):
            flush()
        if not current:
            first = number + 1
        if starts:
            text = text[starts.end() :]
        current.append(text.rstrip("\\"))
        if _HARD_BREAK.search(raw):
            flush()
    flush()
    return blocks
