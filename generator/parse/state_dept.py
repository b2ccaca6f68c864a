"""State Department transcripts: a title, then a header block, then turns.

Remarks at a Press Availability with ...
(blank)
Press Availability        ← event kind
John Kerry                ← principal
Secretary of State        ← office
New York, NY              ← place
December 18, 2015         ← date
"""

from __future__ import annotations

from generator.parse.records import RawTranscript
from generator.parse.text import DateError, collapse, find_date, normalize_line
from generator.parse.whitehouse_text import line_blocks, read_body

_MAX_HEADER = 6


def header_block(lines: list[str]) -> tuple[int, list[str]] | None:
    """(title line index, header lines) when `lines` open the State Department way."""
    clean = [collapse(normalize_line(line)) for line in lines[: _MAX_HEADER + 8]]
    title = next((i for i, line in enumerate(clean) if line), None)
    if title is None or title + 2 >= len(clean) or clean[title + 1]:
        return None
    start = title + 2
    end = start
    while end < len(clean) and clean[end]:
        end += 1
    block = clean[start:end]
    if not 3 <= len(block) <= _MAX_HEADER or any(len(line) > 80 for line in block):
        return None
    try:
        if find_date(block[-1]) is None or find_date(block[0]) is not None:
            return None
    except DateError:
        return None
    return title, block


def parse_state_dept(path: str, lines: list[str]) -> RawTranscript:
    found = header_block(lines)
    assert found is not None, "dispatch checks header_block first"
    title, block = found
    transcript = RawTranscript(path, "state-dept", title=collapse(normalize_line(lines[title])))
    transcript.kind = block[0]
    transcript.date = find_date(block[-1])
    middle = block[1:-1]
    transcript.principal = middle[0]
    if len(middle) >= 2:
        transcript.principal_office = middle[1]
    if len(middle) >= 3:
        transcript.place = ", ".join(middle[2:])
    first_body = title + 2 + len(block)
    transcript.header = [(title + 3 + i, line) for i, line in enumerate(block)]
    read_body(transcript, line_blocks(lines, first_body), dated=True)
    return transcript
