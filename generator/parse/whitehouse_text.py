"""White House plain text (2009-2016): title line, header lines, time, turns, END line.

One paragraph per line; the first non-blank line is the title.
"""

from __future__ import annotations

from generator.errors import warning
from generator.parse.header import read_end, read_header
from generator.parse.records import RawTranscript
from generator.parse.text import DateError, collapse, find_date
from generator.parse.turns import Block, build_turns


def line_blocks(lines: list[str], start: int = 0) -> list[Block]:
    """Every non-blank line from `start` on as a block (1-based line numbers).

    `lines` are normalised already (`parse_transcript` does it once for the whole text).
    """
    blocks = []
    for number in range(start, len(lines)):
        text = lines[number].strip()
        if text:
            blocks.append(Block(number + 1, text))
    return blocks


def title_date(transcript: RawTranscript, line: int) -> bool:
    """Read the date a title states; warn when it states one that cannot be read."""
    try:
        transcript.date = find_date(transcript.title)
    except DateError as exc:
        transcript.diagnostics.append(
            warning(transcript.path, line, "date", f"date unreadable: {exc}")
        )
    return transcript.date is not None


def read_body(transcript: RawTranscript, blocks: list[Block], dated: bool) -> None:
    """Header, then turns: the part every plain-text family shares."""
    start = read_header(transcript, blocks, dated)
    body = read_end(transcript, blocks[start:])
    turns, diagnostics = build_turns(transcript.path, body)
    transcript.turns = turns
    transcript.diagnostics.extend(diagnostics)


def parse_whitehouse_text(path: str, lines: list[str]) -> RawTranscript:
    transcript = RawTranscript(path, "whitehouse-text")
    blocks = line_blocks(lines)
    if not blocks:
        return transcript
    title = blocks[0]
    transcript.title = collapse(title.text)
    dated = title_date(transcript, title.line)
    read_body(transcript, blocks[1:], dated)
    return transcript
