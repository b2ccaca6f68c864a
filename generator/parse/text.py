"""Text helpers every reader shares: whitespace clean-up, dates, times, event kinds.

Pure functions over strings; the readers decide which lines they apply to.
"""

from __future__ import annotations

import datetime as dt
import re

# Spaces that look like spaces: no-break, en/em/thin/hair, narrow no-break, ideographic.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
# Invisible characters that never belong to a word: soft hyphen, BOM, zero-width, word joiner.
_INVISIBLE = "\u00ad\ufeff\u200b\u2060\u200e\u200f"
_ODD_SPACE = re.compile(f"[{_SPACES}]")
_INVISIBLES = re.compile(f"[{_INVISIBLE}]")
_RUNS_OF_SPACE = re.compile(r" {2,}")


def normalize_line(line: str) -> str:
    """Odd spaces become plain spaces and invisible characters go; words stay as they are.

    Runs of spaces are kept here because `Q    text` and pandoc hard breaks depend on them.
    """
    # two regex passes: several times faster than str.translate with a mapping
    return _INVISIBLES.sub("", _ODD_SPACE.sub(" ", line))


def collapse(text: str) -> str:
    """Collapse runs of spaces to one and trim."""
    return _RUNS_OF_SPACE.sub(" ", text).strip() if "  " in text else text.strip()


def split_lines(text: str) -> list[str]:
    """Lines numbered the way an editor numbers them (only LF, CRLF and CR end a line)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# ---- dates -----------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_LONG_DATE = re.compile(
    rf"\b(?P<month>{_MONTH_NAME})\.? +(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? +(?P<year>\d{{1,4}})\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?![\d/-])")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


class DateError(ValueError):
    """Something shaped like a date that is not one (`2/30/16`, `July 9, 20`)."""


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return 2000 + year if year < 70 else 1900 + year
    if len(text) != 4:
        raise DateError(f"year '{text}' is cut short")
    return year


def _make(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"'{shown}' is not a calendar date ({exc})") from None


def find_date(text: str) -> dt.date | None:
    """The first date stated in `text` (a title or a header line), None if none is stated.

    Raises DateError when something date-shaped cannot be read.
    """
    match = _LONG_DATE.search(text)
    if match:
        month = _MONTHS[match["month"].lower()]
        if len(match["year"]) != 4:
            raise DateError(f"'{match[0]}' has no four-digit year")
        return _make(int(match["year"]), month, int(match["day"]), match[0])
    match = _ISO_DATE.search(text)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]), match[0])
    match = _NUMERIC_DATE.search(text)
    if match:
        return _make(_year(match[4]), int(match[1]), int(match[3]), match[0])
    return None


# ---- times and end markers ---------------------------------------------------

_TIME = re.compile(r"^(?:\d{1,2}:\d{2}|\d{1,2}) ?(?:[AaPp]\.? ?[Mm]\.?)(?: *\(?[A-Z]{2,5}\)?\.?)?$")
_END = re.compile(r"^(?:END|FIN)\b *(?P<time>.*)$")


def match_time(line: str) -> str | None:
    """`1:07 P.M. EDT` → itself (spaces collapsed); anything else → None."""
    line = collapse(line)
    return line if _TIME.match(line) else None


def match_end(line: str) -> str | None:
    """`END 2:05 P.M. EDT` → `2:05 P.M. EDT`; a bare `END` → ""; anything else → None."""
    match = _END.match(collapse(line))
    if not match:
        return None
    rest = match["time"]
    if rest and not _TIME.match(rest):
        return None
    return rest


# ---- event kinds -------------------------------------------------------------

# The one vocabulary of event kinds, checked in this order against a title or a stated
# kind: the first pattern found wins ("Remarks ... in Press Conference" is a conference).
EVENT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("gaggle", re.compile(r"\bgaggle\b", re.IGNORECASE)),
    ("press-conference", re.compile(r"\b(?:press|news) conference\b", re.IGNORECASE)),
    ("press-availability", re.compile(r"\bavailability\b", re.IGNORECASE)),
    (
        "background-call",
        re.compile(
            r"\bbackground\b|\b(?:press|conference|phone) call\b|\bteleconference\b", re.IGNORECASE
        ),
    ),
    ("interview", re.compile(r"\binterview", re.IGNORECASE)),
    ("briefing", re.compile(r"\bbriefing\b", re.IGNORECASE)),
    ("remarks", re.compile(r"\bremarks\b", re.IGNORECASE)),
    ("statement", re.compile(r"\b(?:statement|readout|letter)\b", re.IGNORECASE)),
)
EVENT_KIND_SLUGS: tuple[str, ...] = tuple(slug for slug, _ in EVENT_KINDS) + ("other",)


def event_kind(title: str) -> str:
    """The event kind slug a title (or a stated kind such as "Press Availability") names."""
    for slug, pattern in EVENT_KINDS:
        if pattern.search(title):
            return slug
    return "other"
