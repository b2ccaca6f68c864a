"""The parsers against the whole shared corpus (PODIUM_CORPUS=/work/shared/corpus).

Slow-ish (every file is read once per session); skipped when the corpus is not there.
"""

from __future__ import annotations

import difflib
import os
import re
import time
from pathlib import Path

import pytest

from generator.parse import decode_source, parse_transcript
from generator.parse.records import RawTranscript
from generator.parse.turns import is_sentence_label

pytestmark = pytest.mark.corpus

CORPUS = os.environ.get("PODIUM_CORPUS")
if not CORPUS:
    pytest.skip(
        "PODIUM_CORPUS not set; point it at the shared corpus "
        "(PODIUM_CORPUS=/work/shared/corpus) to parse every transcript",
        allow_module_level=True,
    )

FOLDERS = ("whitehouse-2009-2016", "whitehouse-2021-2025", "whitehouse-2021-2026-conferences")


@pytest.fixture(scope="module")
def parsed_corpus() -> dict[str, tuple[str, RawTranscript]]:
    """Every transcript parsed once: {path: (text, transcript)}."""
    paths = sorted(p for folder in FOLDERS for p in (Path(CORPUS) / folder).glob("*.*"))
    sources = {str(p): p.read_bytes() for p in paths}
    started, cpu_started = time.perf_counter(), time.process_time()
    parsed = {}
    for path, data in sources.items():
        text, diagnostics = decode_source(path, data)
        assert text is not None, diagnostics
        parsed[path] = (text, parse_transcript(path, text))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"\nparsed {len(parsed)} files in {elapsed:.1f}s wall, {cpu:.1f}s CPU (single process)")
    assert len(parsed) > 2000
    return parsed


def in_folder(parsed_corpus: dict, folder: str) -> list[tuple[str, RawTranscript]]:
    return [v for path, v in parsed_corpus.items() if f"/{folder}/" in path]


def test_every_markdown_file_has_its_front_matter_date(parsed_corpus):
    for folder in FOLDERS[1:]:
        for text, transcript in in_folder(parsed_corpus, folder):
            stated = re.search(r"^date: '?(\d{4}-\d{2}-\d{2})", text, re.MULTILINE)
            assert stated, transcript.path
            assert transcript.date is not None, transcript.path
            assert transcript.date.isoformat() == stated[1], transcript.path


_TITLE_DATE = re.compile(
    r"\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December) \d{1,2}, \d{4}"
)


def test_plain_text_files_are_dated_wherever_the_title_states_a_date(parsed_corpus):
    undated = []
    for text, transcript in in_folder(parsed_corpus, FOLDERS[0]):
        if _TITLE_DATE.search(transcript.title) and transcript.date is None:
            undated.append(transcript.title)
        if transcript.date is not None:
            assert 2009 <= transcript.date.year <= 2016, (transcript.path, transcript.date)
    assert undated == []
    missing = sum(t.date is None for _, t in in_folder(parsed_corpus, FOLDERS[0]))
    print(f"\nplain-text files without a stated date: {missing}")


def test_no_label_is_a_sentence(parsed_corpus):
    sentences = sorted(
        {
            turn.label
            for _, transcript in parsed_corpus.values()
            for turn in transcript.turns
            if turn.label and is_sentence_label(turn.label)
        }
    )
    assert sentences == []


def test_every_briefing_has_turns(parsed_corpus):
    without = [
        t.path
        for _, t in parsed_corpus.values()
        if re.search(r"briefing|gaggle", t.title, re.IGNORECASE)
        and not any(x.label for x in t.turns)
    ]
    assert len(without) <= 3, without


# An independent count of turn starts: a deliberately plain line-based reading, sharing
# no code with the parser. A turn starts at a line that opens with an all-caps label and
# a colon, or with `Q` (`Q:`, `Q.`) and a space.
_SIMPLE_TURN = re.compile(r"^(?:(?P<label>[A-Z][A-Z.'’ -]*[A-Z.]) ?:(?:\s|$)|Q[:.]?(?:\s|$))")


def simple_labels(text: str) -> list[str]:
    labels = []
    for line in text.replace("\u00a0", " ").splitlines():
        match = _SIMPLE_TURN.match(line.lstrip())
        if match and not (match["label"] or "").startswith(("END", "NOTE")):
            labels.append(" ".join((match["label"] or "Q").split()))
    return labels


def parser_labels(transcript: RawTranscript) -> list[str]:
    return [
        t.label
        for t in transcript.turns
        if t.label and re.match(r"^[A-Z][A-Z.'’ -]*$|^Q$", t.label)
    ]


def test_turn_starts_agree_with_an_independent_count(parsed_corpus):
    matched = total = 0
    worst = []
    for path, (text, transcript) in parsed_corpus.items():
        simple, parsed = simple_labels(text), parser_labels(transcript)
        same = sum(
            b.size
            for b in difflib.SequenceMatcher(
                None, simple, parsed, autojunk=False
            ).get_matching_blocks()
        )
        matched += 2 * same
        total += len(simple) + len(parsed)
        worst.append((len(simple) + len(parsed) - 2 * same, path))
    agreement = matched / total
    print(f"\nturn starts in agreement: {agreement:.4%} of {total // 2} turns")
    print("most disagreement:", sorted(worst, reverse=True)[:5])
    assert agreement >= 0.99
