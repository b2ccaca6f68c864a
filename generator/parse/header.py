"""The header lines between a title and the first turn: place, release date, time.

White House transcripts open with a few short lines (`James S. Brady Press Briefing
Room`, `Aboard Air Force One`, `1:07 P.M. EDT`); older ones add a press-release banner
(`THE WHITE HOUSE`, `For Immediate Release   September 25, 2009`).
"""

from __future__ import annotations

import re

from generator.errors import warning
from generator.parse.records import RawTranscript
from generator.parse.text import DateError, collapse, find_date, match_end, match_time
from generator.parse.turns import Block, match_label

# Banner lines that say nothing about where the event took place.
_BANNER = re.compile(
    r"^(?:THE WHITE HOUSE|Office of the .*|For Immediate Release.*|Embargoed.*"
    r"|[_\-=*#~ ]+|\*?Please see below.*)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.?!;,:]$")
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.|\b(?:St|Mt|Ft)\.)$")


def is_header_line(text: str) -> bool:
    """Short, one line, not a sentence: a place or banner line rather than speech."""
    if len(text) > 100 or text.startswith(("(", "[", "“", '"')):
        return False
    if not any(c.islower() for c in text):
        return True  # PRESS BRIEFING / BY / PRESS SECRETARY ROBERT GIBBS
    return not _SENTENCE_END.search(text) or bool(_ABBREVIATION_END.search(text))


def read_header(transcript: RawTranscript, blocks: list[Block], dated: bool) -> int:
    """Take header lines off the front of `blocks` into `transcript`; return where turns start.

    `dated` says the date is already known (front matter, title), so header dates are
    only read when it is not.
    """
    places: list[str] = []
    for index, block in enumerate(blocks):
        text = collapse(block.text)
        time = match_time(text)
        if time is not None:
            transcript.time = time
            _set_place(transcript, places)
            return index + 1
        if match_label(text) or "\n" in block.text or not is_header_line(text):
            break
        if not dated:
            dated = _read_date(transcript, block.line, text)
        if _BANNER.match(text) or not any(c.islower() for c in text):
            transcript.header.append((block.line, text))
        else:
            places.append(text)
            transcript.header.append((block.line, text))
    else:
        index = len(blocks)
    _set_place(transcript, places)
    return index


def _set_place(transcript: RawTranscript, places: list[str]) -> None:
    if places and transcript.place is None:
        transcript.place = ", ".join(places)


def _read_date(transcript: RawTranscript, line: int, text: str) -> bool:
    try:
        date = find_date(text)
    except DateError as exc:
        transcript.diagnostics.append(
            warning(transcript.path, line, "date", f"date unreadable: {exc}")
        )
        return False
    if date is None:
        return False
    transcript.date = date
    return True


def read_end(transcript: RawTranscript, blocks: list[Block]) -> list[Block]:
    """Drop `END 2:05 P.M. EDT` lines, keeping the last end time stated."""
    kept = []
    ended = False
    for block in blocks:
        short = len(block.text) < 60
        end = match_end(block.text) if short else None
        if end is not None:
            transcript.end_time = end or transcript.end_time
            ended = True
            continue
        time = match_time(block.text) if ended and short else None
        if time is not None:
            transcript.end_time = time  # `END`, then the time on a line of its own
            continue
        ended = False
        kept.append(block)
    return kept
