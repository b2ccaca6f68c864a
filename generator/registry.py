"""The speaker registry (`content/speakers.yaml`): canonical names, aliases, dated offices.

An office may carry the labels that mean "whoever held it then" (`THE PRESIDENT`), so a
label resolves by the briefing's date.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.config import load_yaml
from generator.errors import Diagnostic, error

REGISTRY_NAMES = ("speakers.yaml", "speakers.yml")


@dataclass(frozen=True)
class Office:
    title: str
    start: dt.date | None = None
    end: dt.date | None = None  # exclusive
    labels: tuple[str, ...] = ()  # normalised labels that mean the holder (THE PRESIDENT)

    def held_on(self, day: dt.date | None) -> bool:
        if day is None:
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Person:
    name: str
    aliases: tuple[str, ...] = ()  # normalised labels
    offices: tuple[Office, ...] = ()
    bio: str | None = None
    source: str = ""  # where the entry comes from: "speakers.yaml", "built-in registry", ...


@dataclass
class Registry:
    people: list[Person] = field(default_factory=list)

    def holder(self, label: str, day: dt.date | None) -> Person | None:
        """Who held the office a dated label names (THE PRESIDENT on that day)."""
        for person in self.people:
            for office in person.offices:
                if label in office.labels and office.held_on(day):
                    return person
        return None

    def holder_within(self, label: str, first: dt.date, last: dt.date) -> Person | None:
        """Who held the office a label names during a period (an undated briefing's
        folder's dates): the holder throughout, else the one holder whose term meets it."""
        if (person := self.holder_throughout(label, first, last)) is not None:
            return person
        meeting = {person for person in self.people for office in person.offices
                   if label in office.labels and (office.start is None or office.start <= last)
                   and (office.end is None or first < office.end)}
        return meeting.pop() if len(meeting) == 1 else None

    def holder_throughout(self, label: str, first: dt.date, last: dt.date) -> Person | None:
        """Who held the office a label names for the whole of a period, if one person did."""
        for person in self.people:
            for office in person.offices:
                if label in office.labels and office.held_on(first) and office.held_on(last):
                    return person
        return None

    def by_alias(self, label: str) -> Person | None:
        return next((p for p in self.people if label in p.aliases), None)

    @property
    def dated_labels(self) -> set[str]:
        return {label for p in self.people for o in p.offices for label in o.labels}


@functools.lru_cache(maxsize=65536)
def normalise_label(label: str) -> str:
    """`Mr. EARNEST` and `MR EARNEST` are one label: upper case, no dots, single spaces."""
    return " ".join(label.replace(".", " ").upper().split())


BUILT_IN = Path(__file__).resolve().parent / "data" / "registry.yaml"
LEADERS = Path(__file__).resolve().parent / "data" / "leaders.yaml"
BUNDLED = "bundled registry of heads of state and government"


def find_registry(content: Path) -> Path | None:
    return next((content / n for n in REGISTRY_NAMES if (content / n).is_file()), None)


def site_registry(path: Path | None, display: str = "") -> tuple[Registry, list[Diagnostic]]:
    """Podium's built-in office-holders, with the site's own registry over them."""
    built_in, _ = load_registry(BUILT_IN, "built-in registry")
    own, problems = load_registry(path, display)
    names = {p.name for p in own.people}
    bundled = [p for p in (*built_in.people, *leaders()) if p.name not in names]
    return Registry(own.people + bundled), problems


@functools.cache
def leaders() -> tuple[Person, ...]:
    """The bundled heads of state and government (data/leaders.yaml), each with the
    dated office whose labels name them: `PRESIDENT MACRON` from 2017-05-14."""
    entries = load_yaml(LEADERS.read_text(encoding="utf-8"))
    people = []
    for entry in entries:
        surname = entry.get("surname") or entry["name"].split()[-1]
        labels = {normalise_label(f"{entry['office']} {surname}")}
        labels |= {normalise_label(label) for label in entry.get("labels") or ()}
        office = Office(f"{entry['office']} of {entry['country']}", _date(entry.get("from")), _date(entry.get("to")),
                        tuple(sorted(labels)))
        item = entry.get("wikidata")
        source = f"{BUNDLED} (Wikidata {item})" if item else BUNDLED
        people.append(Person(entry["name"], offices=(office,), source=source))
    return tuple(people)


def load_registry(path: Path | None, display: str = "") -> tuple[Registry, list[Diagnostic]]:
    if path is None:
        return Registry(), []
    display = display or str(path)
    try:
        entries = load_yaml(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else 1
        return Registry(), [error(display, line, "registry", f"unreadable YAML: {exc.problem}")]
    except UnicodeDecodeError as exc:
        return Registry(), [error(display, 1, "encoding", f"not UTF-8: {exc.reason}")]
    if not isinstance(entries, list):
        return Registry(), [error(display, 1, "registry", "expected a list of people")]
    people, problems = [], []
    for n, entry in enumerate(entries, 1):
        person = _person(entry, display)
        if person is None:
            problems.append(
                error(display, 1, "registry", f"entry {n} needs at least a 'name' string")
            )
        else:
            people.append(person)
    return Registry(people), problems


def _person(entry: object, source: str = "") -> Person | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return None
    offices = tuple(_office(o) for o in entry.get("offices") or [] if _office(o))
    return Person(
        name=entry["name"].strip(),
        aliases=tuple(normalise_label(str(a)) for a in entry.get("aliases") or []),
        offices=offices,
        bio=entry.get("bio"),
        source=source,
    )


def _office(raw: object) -> Office | None:
    if isinstance(raw, str):
        return Office(raw)
    if not isinstance(raw, dict) or "title" not in raw:
        return None
    return Office(
        title=str(raw["title"]),
        start=_date(raw.get("from")),
        end=_date(raw.get("to")),
        labels=tuple(normalise_label(str(x)) for x in raw.get("labels") or []),
    )


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return None
