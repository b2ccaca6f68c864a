"""The parsers on tiny inputs, one case each: labels, non-labels, segments, whitespace,
dates, dispatch, diagnostics, the seed transcript, and the golden fixtures."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from generator.parse import EVENT_KIND_SLUGS, decode_source, event_kind, parse_transcript
from generator.parse.records import SegmentKind
from generator.parse.text import DateError, find_date, match_end, match_time, normalize_line
from generator.parse.turns import match_label, segment

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "content" / "000_dc28f8c96af5d01d.txt"
NBSP = "\u00a0"

T, D, I, E, C, F = (
    SegmentKind.TEXT,
    SegmentKind.DIRECTION,
    SegmentKind.INTERPRETATION,
    SegmentKind.EDITORIAL,
    SegmentKind.CORRECTION,
    SegmentKind.FOOTNOTE,
)


def plain(*lines: str) -> str:
    """A White House plain-text transcript: title, blank, then the lines given."""
    return "\n\n".join(["Press Briefing by Press Secretary Jay Carney, 1/10/12", *lines]) + "\n"


def segments(text: str, markdown: bool = False) -> list[tuple[SegmentKind, str]]:
    paragraph = segment(text, markdown)
    assert paragraph is not None
    return [(s.kind, s.text) for s in paragraph.segments]


# ---- labels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label", "rest"),
    [
        ("MR. CARNEY:  Good afternoon.", "MR. CARNEY", "Good afternoon."),
        ("MR CARNEY: Good afternoon.", "MR CARNEY", "Good afternoon."),
        ("MS PSAKI: Hi.", "MS PSAKI", "Hi."),
        ("Mr. EARNEST:  Thanks.", "Mr. EARNEST", "Thanks."),
        ("Dr. Fauci: Thank you.", "Dr. Fauci", "Thank you."),
        ("SECRETARY LaHOOD: Thanks.", "SECRETARY LaHOOD", "Thanks."),
        ("MR. McDONOUGH: Sure.", "MR. McDONOUGH", "Sure."),
        ("SENIOR ADMINISTRATION OFFICIAL ONE: So.", "SENIOR ADMINISTRATION OFFICIAL ONE", "So."),
        ("SENIOR ADMINSTRATION OFFICIAL: So.", "SENIOR ADMINSTRATION OFFICIAL", "So."),
        ("THE PRESIDENT: Thank you.", "THE PRESIDENT", "Thank you."),
        ("PRESIDENT BIDEN: Thank you.", "PRESIDENT BIDEN", "Thank you."),
        ("MODERATOR: Next question.", "MODERATOR", "Next question."),
        ("OPERATOR: Go ahead.", "OPERATOR", "Go ahead."),
        ("INTERPRETER: Thank you.", "INTERPRETER", "Thank you."),
        ("SECRETARY KERRY: Well.", "SECRETARY KERRY", "Well."),
        ("MR DE MISTURA: Thank you.", "MR DE MISTURA", "Thank you."),
        ("MR. FERNÁNDEZ HERNÁNDEZ: Sí.", "MR. FERNÁNDEZ HERNÁNDEZ", "Sí."),
        ("MS.  JEAN-PIERRE:  Hi.", "MS. JEAN-PIERRE", "Hi."),
        ("MR. EARNEST:Good morning.", "MR. EARNEST", "Good morning."),
        ("QUESTION: Thank you.", "QUESTION", "Thank you."),
        ("QUESTION: ", "QUESTION", ""),
        ("Question:  Did you see the pictures?", "Question", "Did you see the pictures?"),
        ("The President:  Yes.", "The President", "Yes."),
        ("Ray Henry:  Admiral, Ray Henry.", "Ray Henry", "Admiral, Ray Henry."),
        ("Q    Josh, thanks.", "Q", "Josh, thanks."),
        ("Q Thanks, Robert.", "Q", "Thanks, Robert."),
        ("Q: Could you respond?", "Q", "Could you respond?"),
        ("Q.  Two questions.", "Q", "Two questions."),
        ("Q -- that Social Security?", "Q", "-- that Social Security?"),
        ("Q", "Q", ""),
        (
            "QDoes the President plan to nominate her?",
            "Q",
            "Does the President plan to nominate her?",
        ),
    ],
)
def test_label_forms(line, label, rest):
    found = match_label(normalize_line(line))
    assert found is not None
    assert found.label == label
    assert line[found.end :].strip() == rest


@pytest.mark.parametrize(
    "line",
    [
        "Bottom line: As we move forward, we will act.",
        "And my question is: Does the President agree?",
        "Here's what you missed:",
        "The last thing that I wanted to say: We often hear it said.",
        "I agree with Sergey completely: The objective is clear.",
        "President has been very clear: no.",
        "Senator McCain:  “It is harming the Republican Party.”",
        "Timothy Geithner: “Prioritization is unworkable.”",
        "On Sudan:  we remain engaged.",
        "NOTE: This transcript has been corrected.",
        "END 2:05 P.M. EDT",
        "12:52 P.M. EDT",
        "QAnon is a conspiracy theory.",
        "Quite: so.",
        "(Laughter.)",
        "",
    ],
)
def test_sentences_with_a_colon_are_not_labels(line):
    assert match_label(line) is None


def test_two_turns_on_one_line_are_split():
    text = plain("Q    What he campaigned for? MR. GIBBS: I think so.")
    turns = parse_transcript("x.txt", text).turns
    assert [(t.label, t.paragraphs[0].plain) for t in turns] == [
        ("Q", "What he campaigned for?"),
        ("MR. GIBBS", "I think so."),
    ]


def test_unlabelled_paragraphs_continue_the_turn():
    turns = parse_transcript("x.txt", plain("MR. CARNEY: One.", "Two.", "Q Three?")).turns
    assert [(t.label, [p.plain for p in t.paragraphs]) for t in turns] == [
        ("MR. CARNEY", ["One.", "Two."]),
        ("Q", ["Three?"]),
    ]


def test_text_before_the_first_label_is_a_turn_without_label():
    turns = parse_transcript("x.txt", plain("Good morning.", "MR. CARNEY: Hi.")).turns
    assert [(t.line, t.label) for t in turns] == [(3, None), (5, "MR. CARNEY")]


# ---- segments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Perfect. (Laughter.)", [(T, "Perfect."), (D, "(Laughter.)")]),
        ("(Laughs.) Sure.", [(D, "(Laughs.)"), (T, "Sure.")]),
        ("Thank you. (Applause.)", [(T, "Thank you."), (D, "(Applause.)")]),
        ("(Cross-talk.)", [(D, "(Cross-talk.)")]),
        ("(Inaudible)", [(D, "(Inaudible)")]),
        (
            "the Geneva communique (inaudible) Security",
            [(T, "the Geneva communique"), (D, "(inaudible)"), (T, "Security")],
        ),
        ("(Cell phone rings.)", [(D, "(Cell phone rings.)")]),
        (
            "(Via interpreter) So let me continue.",
            [(I, "(Via interpreter)"), (T, "So let me continue.")],
        ),
        ("(As interpreted.)", [(I, "(As interpreted.)")]),
        ("(As translated.)", [(I, "(As translated.)")]),
        ("(Speaks Ukrainian.)", [(I, "(Speaks Ukrainian.)")]),
        ("growth in (GDP) terms", [(T, "growth in (GDP) terms")]),
        ("the plan (and this matters) works", [(T, "the plan (and this matters) works")]),
        ("in Libya [sic] Syria", [(T, "in Libya"), (E, "[sic]"), (T, "Syria")]),
        ("$1.7 [billion] in", [(T, "$1.7"), (E, "[billion]"), (T, "in")]),
        ("Al Hadith* news", [(T, "Al Hadith"), (F, "*"), (T, "news")]),
        ("*Please see below.", [(F, "*"), (T, "Please see below.")]),
        ("We’re not -- (Laughter.) --", [(T, "We’re not --"), (D, "(Laughter.)"), (T, "--")]),
    ],
)
def test_segment_kinds_in_plain_text(text, expected):
    assert segments(text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "is_markdown"),
    [
        (
            r"the <s>Influction</s> \[Inflation\] Reduction Act",
            [(T, "the"), (C, "Influction"), (E, "[Inflation]"), (T, "Reduction Act")],
            False,
        ),
        (
            r"the \[senior administration official\] said",
            [(T, "the"), (E, "[senior administration official]"), (T, "said")],
            False,
        ),
        (r"COVID\_19 and \#1 and 5 \* 3", [(T, "COVID_19 and #1 and 5 * 3")], False),
        (r"said so.\* Next", [(T, "said so."), (F, "*"), (T, "Next")], False),
        ("**bold** words", [(T, "**bold** words")], True),
        ("an *emphasis* here", [(T, "an *emphasis* here")], True),
        (
            "see [the fact sheet](https://example.gov/x) now",
            [(T, "see [the fact sheet](https://example.gov/x) now")],
            True,
        ),
        (
            "visit <https://example.gov/slides.pdf>",
            [(T, "visit <https://example.gov/slides.pdf>")],
            True,
        ),
        ('Ok <strong>now</strong> <a href="x">here</a>', [(T, "Ok now here")], False),
        ('<figure> <img src="x.jpg" alt="A photo" /> </figure>', None, False),
        ("<table><tr><td>Cell</td></tr></table> after", [(T, "Cell after")], False),
        ("Say <script>alert(1)</script> now", [(T, "Say <script>alert(1)</script> now")], False),
    ],
)
def test_segment_kinds_in_markdown(text, expected, is_markdown):
    paragraph = segment(text, markdown=True)
    if expected is None:
        assert paragraph is None
        return
    assert [(s.kind, s.text) for s in paragraph.segments] == expected
    assert paragraph.markdown is is_markdown


# ---- whitespace ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"Q{NBSP}{NBSP}{NBSP} Josh", "Q    Josh"),
        ("em\u2003space", "em space"),
        ("narrow\u202fspace", "narrow space"),
        ("thin\u2009space", "thin space"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\ufeffLast year", "Last year"),
        ("COVID-\u206019", "COVID-19"),
        (
            "curly “quotes” and accents: Zelenskyy, Muñoz",
            "curly “quotes” and accents: Zelenskyy, Muñoz",
        ),
    ],
)
def test_whitespace_is_normalised_without_changing_words(raw, clean):
    assert normalize_line(raw) == clean


def test_lines_of_only_nbsp_are_blank():
    turns = parse_transcript("x.txt", plain("MR. CARNEY: One.", NBSP * 3, "Two.")).turns
    assert [p.plain for p in turns[0].paragraphs] == ["One.", "Two."]


def test_runs_of_spaces_collapse_in_text():
    turns = parse_transcript("x.txt", plain(f"MR. CARNEY:{NBSP} Good.{NBSP} Thanks.")).turns
    assert turns[0].paragraphs[0].plain == "Good. Thanks."


# ---- dates, times, kinds ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Press Briefing by Press Secretary Josh Earnest, 3/11/16", dt.date(2016, 3, 11)),
        ("Press Briefing by Press Secretary Josh Earnest, 9/30/2014", dt.date(2014, 9, 30)),
        ("Briefing by White House Press Secretary Robert Gibbs, 7-30-09", dt.date(2009, 7, 30)),
        ("Gaggle by Principal Deputy Press Secretary Eric Schultz, 03/30/15", dt.date(2015, 3, 30)),
        (
            "Press Briefing by Press Secretary Karine Jean-Pierre, January 18, 2023",
            dt.date(2023, 1, 18),
        ),
        ("For Immediate Release      September 25, 2009", dt.date(2009, 9, 25)),
        ("Sept. 3, 2014", dt.date(2014, 9, 3)),
        ("2021-01-20", dt.date(2021, 1, 20)),
        ("Press Gaggle #2 On Air Force One", None),
        ("Briefing on the President's FY2016 Budget", None),
    ],
)
def test_date_forms(text, date):
    assert find_date(text) == date


@pytest.mark.parametrize("text", ["Briefing, 2/30/16", "For Immediate Release July 9, 20"])
def test_impossible_dates_raise(text):
    with pytest.raises(DateError):
        find_date(text)


def test_unreadable_title_date_warns_with_line():
    transcript = parse_transcript("x.txt", "Press Briefing, 2/30/16\n\nMR. CARNEY: Hi.\n")
    assert transcript.date is None
    assert [str(d) for d in transcript.diagnostics] == [
        "x.txt:1: warning: date unreadable: '2/30/16' is not a calendar date (day is out of range for month)"
    ]


def test_a_quoted_date_in_the_body_is_not_the_date():
    text = "Press Gaggle by Press Secretary Jay Carney\n\nMR. CARNEY: On January 5, 2009, we said so.\n"
    assert parse_transcript("x.txt", text).date is None


@pytest.mark.parametrize(
    ("line", "time"),
    [
        ("1:07 P.M. EDT", "1:07 P.M. EDT"),
        ("11:04 A.M. EST", "11:04 A.M. EST"),
        ("12:52 P.M. EDT  ", "12:52 P.M. EDT"),
        ("1:07 in the afternoon", None),
    ],
)
def test_time_lines(line, time):
    assert match_time(line) == time


@pytest.mark.parametrize(
    ("line", "end"),
    [
        ("END 2:05 P.M. EDT", "2:05 P.M. EDT"),
        ("END", ""),
        ("END           2:05 P.M. EDT", "2:05 P.M. EDT"),
        ("ENDING soon", None),
    ],
)
def test_end_lines(line, end):
    assert match_end(line) == end


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Press Briefing by Press Secretary Jen Psaki, January 20, 2021", "briefing"),
        ("Press Gaggle by Press Secretary Jay Carney Aboard Air Force One", "gaggle"),
        ("Remarks by President Biden in Press Conference", "press-conference"),
        (
            "Remarks by President Biden and Prime Minister Kishida in Joint Press Conference",
            "press-conference",
        ),
        (
            "Remarks at a Press Availability with Foreign Minister Sergey Lavrov",
            "press-availability",
        ),
        ("Background Press Call by Senior Administration Officials", "background-call"),
        ("Background Briefing on Auto Industry, 4/30/2009", "background-call"),
        ("Interview of President Trump by Sean Hannity", "interview"),
        ("Remarks by the Vice President at a Dinner", "remarks"),
        ("Statement by the Press Secretary on Iran", "statement"),
        ("Readout of the President's Call", "statement"),
        ("Weekly Address", "other"),
    ],
)
def test_event_kind_from_title(title, kind):
    assert event_kind(title) == kind
    assert kind in EVENT_KIND_SLUGS


# ---- files: seed, dispatch, headers, diagnostics --------------------------------------


def test_seed_parses_to_the_agreed_turns():
    text, diagnostics = decode_source(str(SEED), SEED.read_bytes())
    transcript = parse_transcript("content/000_dc28f8c96af5d01d.txt", text)
    assert diagnostics == []
    assert transcript.format == "state-dept"
    assert (transcript.kind, transcript.principal, transcript.principal_office) == (
        "Press Availability",
        "John Kerry",
        "Secretary of State",
    )
    assert (transcript.place, transcript.date) == ("New York, NY", dt.date(2015, 12, 18))
    assert transcript.event_kind == "press-availability"
    assert Counter(t.label for t in transcript.turns) == {
        "SECRETARY KERRY": 17,
        "FOREIGN MINISTER LAVROV": 10,
        "MR DE MISTURA": 4,
        "MR KIRBY": 5,
        "QUESTION": 13,
        "STAFF": 1,
    }
    assert [t.label for t in transcript.turns[:4]] == [
        "SECRETARY KERRY",
        "FOREIGN MINISTER LAVROV",
        "QUESTION",
        "QUESTION",
    ]
    assert transcript.turns[1].line == 31
    assert transcript.diagnostics == []


def test_white_house_header_time_and_end():
    text = (
        "Press Briefing by Press Secretary Josh Earnest, 3/11/16\n\nJames S. Brady Press Briefing Room\n\n"
        "1:07 P.M. EDT\n\nMR. EARNEST:  Hi.\n\nEND 2:05 P.M. EDT\n"
    )
    transcript = parse_transcript("x.txt", text)
    assert (transcript.format, transcript.date, transcript.place) == (
        "whitehouse-text",
        dt.date(2016, 3, 11),
        "James S. Brady Press Briefing Room",
    )
    assert (transcript.time, transcript.end_time, transcript.kind) == (
        "1:07 P.M. EDT",
        "2:05 P.M. EDT",
        "briefing",
    )
    assert [(t.line, t.label, t.paragraphs[0].plain) for t in transcript.turns] == [
        (7, "MR. EARNEST", "Hi.")
    ]


MD = """---
title: "Press Briefing by Press Secretary Jen\\_Psaki, January 20,\\_2021"
date: '2021-01-20'
source_url: https://example.gov/briefing
speakers: [Jen Psaki]
---
\u00a0
Via Teleconference

7:06 P.M. EST  
  
MS. PSAKI:  Good evening, everyone.  Thank you for joining us on this
historic day.  

Q    Thanks, Jen.  
MS. PSAKI:  Sure.
"""


def test_markdown_front_matter_and_wrapped_paragraphs():
    transcript = parse_transcript("x.md", MD)
    assert transcript.format == "markdown"
    assert transcript.title == "Press Briefing by Press Secretary Jen Psaki, January 20, 2021"
    assert (transcript.date, transcript.source_url, transcript.speakers) == (
        dt.date(2021, 1, 20),
        "https://example.gov/briefing",
        ["Jen Psaki"],
    )
    assert (transcript.place, transcript.time) == ("Via Teleconference", "7:06 P.M. EST")
    assert [(t.line, t.label, [p.plain for p in t.paragraphs]) for t in transcript.turns] == [
        (
            12,
            "MS. PSAKI",
            ["Good evening, everyone. Thank you for joining us on this historic day."],
        ),
        (15, "Q", ["Thanks, Jen."]),
        (16, "MS. PSAKI", ["Sure."]),
    ]
    assert transcript.diagnostics == []


def test_bad_front_matter_is_an_error_with_its_line():
    text = "---\ntitle: ok\ndate: [2021\n---\nMS. PSAKI: Hi.\n"
    transcript = parse_transcript("bad.md", text)
    errors = [str(d) for d in transcript.diagnostics if d.severity.value == "error"]
    assert errors == [
        "bad.md:3: error: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
        "bad.md:1: error: no title: the first line or front matter `title:` names the event",
    ]
    assert transcript.title == ""


def test_missing_title_is_an_error():
    transcript = parse_transcript("x.md", "---\ndate: '2021-01-20'\n---\nMS. PSAKI: Hi.\n")
    assert [str(d) for d in transcript.diagnostics] == [
        "x.md:1: error: no title: the first line or front matter `title:` names the event"
    ]


def test_empty_turn_warns():
    transcript = parse_transcript(
        "x.txt", plain("MR. CARNEY: Hi.", "QUESTION: ", "MR. CARNEY: Yes.")
    )
    assert [str(d) for d in transcript.diagnostics] == [
        "x.txt:5: warning: turn 'QUESTION' has no text"
    ]


def test_a_turn_of_only_a_direction_is_kept_without_warning():
    transcript = parse_transcript("x.txt", plain("QUESTION: (Inaudible.)", "MR. CARNEY: Yes."))
    assert transcript.turns[0].paragraphs[0].segments[0].kind is SegmentKind.DIRECTION
    assert transcript.diagnostics == []


def test_label_like_line_warns():
    transcript = parse_transcript("x.txt", plain("MR. CARNEY: Hi.", "NOTE: corrected below."))
    assert [str(d) for d in transcript.diagnostics] == [
        "x.txt:5: warning: 'NOTE:' looks like a speaker label but is not read as one"
    ]


def test_no_turns_warns():
    transcript = parse_transcript(
        "x.txt", "Statement by the Press Secretary\n\nThe President is pleased.\n"
    )
    assert [str(d) for d in transcript.diagnostics] == ["x.txt:1: warning: no speaker turns found"]
    assert transcript.kind == "statement"


# ---- decoding -----------------------------------------------------------------------


def test_decode_strips_bom():
    assert decode_source("x.txt", "\ufeffTitle\n".encode()) == ("Title\n", [])


def test_decode_names_line_and_byte_of_the_first_bad_byte():
    text, diagnostics = decode_source("x.txt", b"Title\n\nMR. X: caf\xe9\n")
    assert text is None
    assert [str(d) for d in diagnostics] == [
        "x.txt:3: error: not UTF-8: byte 0xE9 on line 3 cannot be decoded"
    ]


# ---- golden fixtures ------------------------------------------------------------------

from regen_golden import GOLDEN, parse_fixture, parser_fixtures, render


def test_every_parser_fixture_has_a_golden_file():
    fixtures = {f"{p.name}.json" for p in parser_fixtures()}
    assert len(fixtures) >= 8
    assert fixtures == {p.name for p in GOLDEN.glob("*.json")}


@pytest.mark.parametrize("fixture", parser_fixtures(), ids=lambda p: p.name)
def test_golden(fixture):
    expected = (GOLDEN / f"{fixture.name}.json").read_text(encoding="utf-8")
    assert render(parse_fixture(fixture)) == expected, (
        "run .venv/bin/python tests/regen_golden.py and review the diff"
    )
    assert json.loads(expected)["title"]
