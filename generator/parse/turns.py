"""Speaker labels, inline segments and turn assembly, shared by every reader.

A reader turns its source into `Block`s (one paragraph of text with its line number);
`build_turns` decides where turns start and splits each paragraph into segments.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from generator.errors import Diagnostic, warning
from generator.parse.records import Paragraph, RawTurn, Segment, SegmentKind
from generator.parse.text import collapse

# ---- labels --------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
# One word of an all-caps label: `McDONOUGH`, `LaHOOD`, `JEAN-PIERRE`, `MR.`, `O’BRIEN`.
_CAPS_WORD = rf"(?:Mc|Mac|La|Le|De|Di|Da|Du|Van|Von|O['’])?[{_UP}][{_UP}'’.\-]*"
_PARTICLE = r"(?:de|da|del|della|di|du|von|van|der|al|el|bin|la|le|y)"
_CAPS_LABEL = re.compile(
    rf"^(?P<label>[{_UP}][{_UP}'’.\-]*(?: +(?:{_CAPS_WORD}|{_PARTICLE}))*?) *:(?= |$|[A-Z“\"(])"
)
_NAME_WORD = rf"(?:Mc|Mac|La|De|O['’])?[{_UP}][\w'’.\-]*"
_HONORIFIC = (
    r"(?:Mr|Mrs|Ms|Dr|Adm|Gen|Amb|Sen|Rep|Gov|Lt|Col|Capt|Sgt)\.?"
    r"|Secretary|Senator|Ambassador|Admiral|General|Governor|Mayor|Director|Administrator"
    r"|President|Vice President|Prime Minister|Chancellor|Minister|Foreign Minister"
)
_HONORIFIC_LABEL = re.compile(
    rf"^(?P<label>(?:{_HONORIFIC}) +{_NAME_WORD}(?: +(?:{_NAME_WORD}|{_PARTICLE})){{0,2}}) *:(?= |$)"
)
_ROLE_LABEL = re.compile(
    r"^(?P<label>The President|The Vice President|The First Lady|Question|Moderator|Operator"
    r"|Interpreter|Aide|Staff|Participant|Audience Member|Reporter) *:(?= |$)"
)
# A bare name such as `Ray Henry:  Admiral, ...` (a reporter on a call): only with two
# spaces after the colon, the way the transcribers set labels, and never before a quote.
_NAME_LABEL = re.compile(r"^(?P<label>[A-Z][a-z]+(?: [A-Z][a-z'’\-]+){1,2}):  +(?![“\"‘])")
# `Q    text`, `Q: text`, `Q. text`, `Q -- text`, and `QDoes the President...` where the
# space was lost (but never `QAnon`).
_Q_LABEL = re.compile(r"^(?P<label>Q)(?:[.:](?= |$)|(?= )|(?=--)|(?=[A-Z][a-z])(?!Anon)|$)")
_QUOTE_NEXT = re.compile(r"^ *[“\"‘]")
# All-caps words that open notes rather than turns.
_NOT_LABELS = frozenset(
    {
        "NOTE",
        "NOTES",
        "UPDATE",
        "UPDATED",
        "CORRECTION",
        "EMBARGOED",
        "END",
        "FIN",
        "PS",
        "P.S.",
        "AS PREPARED FOR DELIVERY",
        "FACT SHEET",
        "EDITOR'S NOTE",
        "EDITOR’S NOTE",
    }
)
_FUNCTION_WORDS = frozenset(
    [
        "On",
        "In",
        "The",
        "And",
        "So",
        "For",
        "But",
        "Next",
        "First",
        "Second",
        "Third",
        "Take",
        "Across",
        "Dear",
        "To",
        "Of",
        "A",
        "An",
        "At",
        "By",
        "With",
        "From",
        "Number",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Bottom",
        "Here",
        "What",
        "Let",
        "This",
        "That",
    ]
)
# Something shaped like a label: caps or an honorific before a colon near the line start.
_LABEL_LIKE = re.compile(
    rf"^(?:[{_UP}][{_UP}'’.\- ]{{1,40}}|(?:Mr|Mrs|Ms|Dr)\. [^:,]{{1,30}}) *:(?= |$)"
)


@dataclass(frozen=True)
class Label:
    label: str  # as printed, whitespace collapsed, no colon
    end: int  # where the turn's text begins in the line


def match_label(line: str) -> Label | None:
    """The speaker label that opens `line`, or None when the line is no turn start.

    `line` is normalised (odd spaces already plain) and stripped on the left.
    """
    if not line:
        return None
    first = line[0]
    if first == "Q":
        match = _Q_LABEL.match(line)
        if match:
            return Label("Q", match.end())
    if ":" not in line[:72]:
        return None
    match = _CAPS_LABEL.match(line)
    if match:
        label = collapse(match["label"])
        if label not in _NOT_LABELS and _has_caps_word(label) and label.split()[0] not in _CAPS_OPENERS:
            return Label(label, match.end())
    for pattern in (_HONORIFIC_LABEL, _ROLE_LABEL):
        match = pattern.match(line)
        if match and not _QUOTE_NEXT.match(line[match.end() :]):
            return Label(collapse(match["label"]), match.end())
    match = _NAME_LABEL.match(line)
    if match and match["label"].split()[0] not in _FUNCTION_WORDS:
        return Label(match["label"], match.end())
    return None


# A caps line opening with one of these addresses someone ("TO THE CONGRESS OF THE
# UNITED STATES:") rather than naming a speaker.
_CAPS_OPENERS = frozenset(["TO", "FOR", "IN", "ON", "AND", "OF", "AT", "BY", "FROM", "WITH", "BUT", "SO", "IF", "AS", "WHEN", "DEAR"])


def _has_caps_word(label: str) -> bool:
    """A caps label names someone: at least one word of two capital letters or more."""
    return any(sum(c.isupper() for c in word) >= 2 for word in label.split())


def looks_like_label(line: str) -> bool:
    """Shaped like a label (`NOTE:`, `Mr. Smith:`) whether or not it is accepted as one."""
    return bool(_LABEL_LIKE.match(line))


def is_sentence_label(label: str) -> bool:
    """True when a label reads like a sentence, which no accepted label may: a check for tests."""
    words = label.split()
    lower = [w for w in words if w[0].islower() and not re.fullmatch(_PARTICLE, w)]
    return bool(lower) or len(words) > 8 or label.endswith((".", "?", "!", ",")) and label != "Q"


# Two turns on one line: `...campaigned for? MR. GIBBS: I think...`. Only the plainest
# labels count here, after the end of a sentence.
_INLINE_TURN = re.compile(
    rf"(?<=[.?!”\"—-]) +(?=(?:(?:MR|MS|MRS|DR)\. [{_UP}][{_UP}'’\-]+|THE PRESIDENT|QUESTION"
    rf"|SECRETARY [{_UP}][{_UP}'’\-]+):  ?[^ ])|(?<=[.?!”\"]) {{2,}}(?=Q {{2,}}[{_UP}])"
)


# What every split point of _INLINE_TURN has, found far faster than _INLINE_TURN's
# lookbehind at every space: the last letter of a label and its colon, or `Q  `.
_INLINE_HINT = re.compile(rf"[{_UP}'’\-]:  ?[^ ]|[.?!”\"] {{2,}}Q {{2,}}")


def split_inline_turns(text: str) -> list[str]:
    """Split a line that holds two turns into one string per turn."""
    if ":" not in text and "Q  " not in text or not _INLINE_HINT.search(text):
        return [text]
    return [part for part in _INLINE_TURN.split(text) if part]


# ---- segments --------------------------------------------------------------------

_INTERPRETATION = re.compile(
    r"^(?:via interpret|as interpreted|as translated|through (?:an )?interpret|in translation"
    r"|speaks?(?:ing)? (?:in )?[A-Z]|in (?:english|spanish|french|russian|ukrainian|arabic"
    r"|german|japanese|korean|hebrew|chinese|italian|portuguese)\b|no translation"
    r"|translat|interpret)",
    re.IGNORECASE,
)
_DIRECTION_WORDS = re.compile(
    r"^(?:inaudible|laughter|laughs|laughing|applause|cross-?talk|crosstalk|off[- ]mic"
    r"|unintelligible|indiscernible|pause|chuckles|sic)\b",
    re.IGNORECASE,
)
_SEGMENTS = re.compile(
    r"<s>(?P<struck>.*?)</s>"
    r"|\\\[(?P<escaped>.*?)\\\]"
    r"|\[(?P<bracket>[^\[\]]{1,100})\](?!\()"
    r"|\((?P<paren>[^()]{1,160})\)"
    r"|(?P<lead>^(?:\\?\*)+)(?=\s*\S)"
    r"|(?<=[\w.,;:!?”\"’)\]])(?P<star>\\?\*)(?=[\s.,;:!?”\"’)]|$)"
)
# Pandoc's leftovers from the archived pages: layout tags are dropped (their text kept),
# a <figure> (an image and its credit) goes whole. Any other tag, <script> included, is
# the transcript's text and is shown as such, escaped.
_LAYOUT_TAGS = (
    "table|thead|tbody|tfoot|tr|td|th|div|span|p|br|hr|img|figcaption|sup|sub|u|em|strong"
    "|b|i|a|small|center|font|section|article|blockquote|caption|colgroup|col"
)
_TAG = re.compile(r"</?(?:" + _LAYOUT_TAGS + r")(?:\s[^<>]*)?/?>", re.IGNORECASE)
_DROP_ELEMENT = re.compile(r"<figure\b.*?</figure\s*>", re.IGNORECASE | re.DOTALL)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'$& ])")
_MARKDOWN_INLINE = re.compile(
    r"(?<!\\)\*\S|(?<!\\)\[[^\]]*\]\(|<https?://|(?<![\\\w])_\S[^_]*_(?!\w)|(?<!\\)`"
)
_PLAIN_SPECIAL = re.compile(r"[(\[*]")
_MARKDOWN_SPECIAL = re.compile(r"[(\[*<\\`_&]")
_NOTHING_TO_SAY = re.compile(r"^(?:[\s_=*#~·•|]*|[\s\-_=]{3,})$")  # rules, not `--`


def classify_parenthesis(inner: str) -> SegmentKind:
    """`(Laughter.)` is a direction, `(Via interpreter)` an interpretation, `(GDP)` text."""
    inner = inner.strip()
    if _INTERPRETATION.match(inner):
        return SegmentKind.INTERPRETATION
    if _DIRECTION_WORDS.match(inner):
        return SegmentKind.DIRECTION
    if inner.endswith(".") and inner[:1].isalpha() and len(inner) > 3 and not inner.isupper():
        return SegmentKind.DIRECTION  # (Cell phone rings.), (The President enters.)
    return SegmentKind.TEXT


def segment(text: str, markdown: bool = False) -> Paragraph | None:
    """Split one paragraph's text into segments; None when nothing is left to show.

    With `markdown`, `text` is Markdown source: escapes are undone, HTML is dropped, and
    inline syntax (`**bold**`, links) is kept in TEXT segments with `Paragraph.markdown`.
    """
    if not (_MARKDOWN_SPECIAL if markdown else _PLAIN_SPECIAL).search(text):
        text = collapse(text)  # the common case: words only
        if not text or _NOTHING_TO_SAY.match(text):
            return None
        return Paragraph(0, (Segment(SegmentKind.TEXT, text),))
    if markdown and "<" in text:
        text = _DROP_ELEMENT.sub(" ", text)
    segments: list[Segment] = []
    pos = 0
    for match in _SEGMENTS.finditer(text):
        kind, inner = _kind_of(match, markdown)
        if kind is SegmentKind.TEXT:
            continue
        segments.append(Segment(SegmentKind.TEXT, text[pos : match.start()]))
        segments.append(Segment(kind, inner))
        pos = match.end()
    segments.append(Segment(SegmentKind.TEXT, text[pos:]))
    return _finish(segments, markdown)


def _kind_of(match: re.Match[str], markdown: bool) -> tuple[SegmentKind, str]:
    group = match.lastgroup
    inner = match[group]
    if group == "struck":
        return SegmentKind.CORRECTION, inner
    if group == "escaped":
        return SegmentKind.EDITORIAL, f"[{inner}]"
    if group == "bracket":
        return (SegmentKind.TEXT, "") if markdown else (SegmentKind.EDITORIAL, match[0])
    if group == "paren":
        return classify_parenthesis(inner), match[0]
    if markdown and not inner.startswith("\\"):
        return SegmentKind.TEXT, ""  # an unescaped `*` in Markdown is emphasis
    return SegmentKind.FOOTNOTE, inner.replace("\\", "")


def _finish(segments: list[Segment], markdown: bool) -> Paragraph | None:
    is_markdown = markdown and any(
        s.kind is SegmentKind.TEXT and _MARKDOWN_INLINE.search(s.text) for s in segments
    )
    cleaned: list[Segment] = []
    for seg in segments:
        text = seg.text
        if markdown:
            text = _clean_markdown(text, keep_syntax=is_markdown)
        text = collapse(text)
        if not text or (seg.kind is SegmentKind.TEXT and _NOTHING_TO_SAY.match(text)):
            continue
        cleaned.append(Segment(seg.kind, text))
    if not cleaned:
        return None
    return Paragraph(0, tuple(cleaned), is_markdown)


def _clean_markdown(text: str, keep_syntax: bool) -> str:
    if "<" in text:
        text = _TAG.sub(" ", text)
    if keep_syntax:
        return text
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    return text


# ---- turns -----------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One paragraph of source text: where it starts, its text, whether it is Markdown."""

    line: int
    text: str
    markdown: bool = False


def build_turns(path: str, blocks: list[Block]) -> tuple[list[RawTurn], list[Diagnostic]]:
    """Turns from paragraphs: a label starts a turn, other paragraphs continue the last one."""
    turns: list[RawTurn] = []
    diagnostics: list[Diagnostic] = []
    for block in blocks:
        for part in split_inline_turns(block.text):
            _add(path, block, part.strip(), turns, diagnostics)
    for turn in turns:
        if not turn.paragraphs and turn.label is not None:
            diagnostics.append(
                warning(path, turn.line, "empty-turn", f"turn '{turn.label}' has no text")
            )
    return turns, diagnostics


def _add(
    path: str, block: Block, text: str, turns: list[RawTurn], diagnostics: list[Diagnostic]
) -> None:
    label = match_label(text)
    if label is not None:
        turns.append(RawTurn(block.line, label.label))
        text = text[label.end :]
    elif looks_like_label(text):
        head = text.split(":", 1)[0]
        diagnostics.append(
            warning(
                path,
                block.line,
                "label",
                f"'{head}:' looks like a speaker label but is not read as one",
            )
        )
    paragraph = segment(text, block.markdown)
    if paragraph is None:
        return
    if not turns:
        turns.append(RawTurn(block.line, None))
    turns[-1].paragraphs.append(Paragraph(block.line, paragraph.segments, paragraph.markdown))
