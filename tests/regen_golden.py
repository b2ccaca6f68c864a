"""Regenerate tests/golden/<fixture>.json from tests/fixtures/ (parser fixtures only).

    .venv/bin/python tests/regen_golden.py

Review the diff before committing: a golden file is what the parser is meant to say.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.parse import decode_source, parse_transcript
from generator.parse.records import RawTranscript

FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = REPO / "tests" / "golden"
PREFIXES = ("sd_", "wh_", "md_")  # parser fixtures; other folders belong to other tests


def parser_fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_file() and p.name.startswith(PREFIXES))


def dump(transcript: RawTranscript) -> dict:
    """The parsed transcript as plain JSON data, in a stable order."""
    return {
        "title": transcript.title,
        "format": transcript.format,
        "date": transcript.date.isoformat() if transcript.date else None,
        "kind": transcript.kind,
        "event_kind": transcript.event_kind,
        "place": transcript.place,
        "time": transcript.time,
        "end_time": transcript.end_time,
        "principal": transcript.principal,
        "principal_office": transcript.principal_office,
        "source_url": transcript.source_url,
        "header": [list(item) for item in transcript.header],
        "diagnostics": [str(d) for d in transcript.diagnostics],
        "turns": [
            {
                "line": turn.line,
                "label": turn.label,
                "paragraphs": [
                    {
                        "line": paragraph.line,
                        "markdown": paragraph.markdown,
                        "segments": [[s.kind.value, s.text] for s in paragraph.segments],
                    }
                    for paragraph in turn.paragraphs
                ],
            }
            for turn in transcript.turns
        ],
    }


def parse_fixture(path: Path) -> dict:
    text, diagnostics = decode_source(path.name, path.read_bytes())
    assert text is not None, diagnostics
    return dump(parse_transcript(f"tests/fixtures/{path.name}", text))


def render(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for fixture in parser_fixtures():
        target = GOLDEN / f"{fixture.name}.json"
        target.write_text(render(parse_fixture(fixture)), encoding="utf-8")
        print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
