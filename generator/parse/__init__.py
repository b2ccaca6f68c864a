"""Readers: source text in, `RawTranscript` out. Pure functions; nothing here opens a file.

    decode_source(path, bytes)  → text, or None with an error diagnostic
    parse_transcript(path, text) → RawTranscript (dispatches on the content's shape)

Families: Markdown with YAML front matter (`markdown_reader`), State Department header
blocks (`state_dept`), White House plain text (`whitehouse_text`). They share header
reading (`header`), labels, segments and turns (`turns`), and text helpers (`text`).
"""

from __future__ import annotations

from generator.errors import Diagnostic, error, warning
from generator.parse.markdown_reader import has_front_matter, parse_markdown
from generator.parse.records import RawTranscript
from generator.parse.state_dept import header_block, parse_state_dept
from generator.parse.text import EVENT_KIND_SLUGS, event_kind, normalize_line, split_lines
from generator.parse.whitehouse_text import parse_whitehouse_text

__all__ = ["EVENT_KIND_SLUGS", "decode_source", "event_kind", "parse_transcript"]


def decode_source(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text without a leading byte-order mark; None and an error when undecodable."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        message = f"not UTF-8: byte 0x{byte:02X} on line {line} cannot be decoded"
        return None, [error(path, line, "encoding", message)]
    return text.removeprefix("\ufeff"), []


def parse_transcript(path: str, text: str) -> RawTranscript:
    """Read one transcript of any family; problems go to `RawTranscript.diagnostics`."""
    lines = split_lines(normalize_line(text))  # odd spaces and invisible marks, once
    if has_front_matter(lines):
        transcript = parse_markdown(path, lines)
    elif header_block(lines) is not None:
        transcript = parse_state_dept(path, lines)
    elif path.endswith((".md", ".markdown")):
        transcript = parse_markdown(path, lines)
    else:
        transcript = parse_whitehouse_text(path, lines)
    _finish(transcript)
    return transcript


def _finish(transcript: RawTranscript) -> None:
    """Checks and derived fields every family shares."""
    transcript.event_kind = event_kind(transcript.kind or transcript.title)
    if transcript.kind is None:
        transcript.kind = transcript.event_kind
    if not transcript.title:
        transcript.diagnostics.append(
            error(
                transcript.path,
                1,
                "title",
                "no title: the first line or front matter `title:` names the event",
            )
        )
    if not any(turn.label is not None for turn in transcript.turns):
        transcript.diagnostics.append(
            warning(transcript.path, 1, "no-turns", "no speaker turns found")
        )
