"""The link pass: after every file is read, turn raw records into one connected site.

Slugs, speaker identity across briefings, exchanges and prev/next all live here,
because each depends on more than one file.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import PurePosixPath

from generator.errors import Diagnostic, warning
from generator.identity import Resolution, Resolver
from generator.model import (
    Briefing,
    Exchange,
    Site,
    Speaker,
    TurnKind,
    Utterance,
    slugify,
)
from generator.parse.records import RawTranscript
from generator.registry import Registry, normalise_label


def link(transcripts: list[RawTranscript], registry: Registry) -> tuple[Site, list[Diagnostic]]:
    """Build the site model from every parsed transcript (sorted by path for determinism)."""
    transcripts = sorted(transcripts, key=lambda t: t.path)
    resolver = Resolver(registry)
    periods = _folder_periods(transcripts)
    local = [_resolve_locally(t, resolver, periods.get(_folder(t))) for t in transcripts]
    people = _People()
    diagnostics: list[Diagnostic] = []
    briefings = []
    for raw, slug, resolutions in zip(transcripts, _slugs(transcripts), local):
        briefing = _briefing(raw, slug)
        for turn in raw.turns:
            resolution = None
            if turn.label is not None:
                key = normalise_label(turn.label)
                resolution = resolutions.get(key) or resolver.archive(key, turn.label)
                resolutions[key] = resolution
            utterance = _utterance(briefing, turn, resolution, people)
            briefing.utterances.append(utterance)
        diagnostics += _label_notes(raw, resolutions)
        briefing.exchanges = exchanges(briefing.utterances)
        briefings.append(briefing)
    _chain(briefings)
    briefings.sort(key=Briefing.sort_key, reverse=True)
    speakers = sorted(people.by_slug.values(), key=lambda s: (s.name.lower(), s.slug))
    return Site(briefings=briefings, speakers=speakers), diagnostics


def _folder(raw: RawTranscript) -> str:
    return str(PurePosixPath(raw.path).parent)


def _folder_periods(transcripts: list[RawTranscript]) -> dict[str, tuple]:
    """The first and last date of each folder's dated transcripts: an undated transcript
    in a folder that spans one office-holder's term was given by that holder."""
    dates: dict[str, list] = {}
    for raw in transcripts:
        if raw.date:
            dates.setdefault(_folder(raw), []).append(raw.date)
    return {folder: (min(days), max(days)) for folder, days in dates.items()}


def _resolve_locally(raw: RawTranscript, resolver: Resolver, period) -> dict[str, Resolution | None]:
    texts = (*raw.speakers, raw.title, *(h for _, h in raw.header))
    context = [(raw.principal, raw.principal_office)] if raw.principal else []
    context += [(text, None) for text in texts if text]
    resolutions: dict[str, Resolution | None] = {}
    for turn in raw.turns:
        if turn.label is not None:
            key = normalise_label(turn.label)
            if key not in resolutions:
                resolutions[key] = resolver.local(key, raw.date, context, period)
    return {k: v for k, v in resolutions.items() if v is not None}


def _label_notes(raw: RawTranscript, resolutions: dict[str, Resolution]) -> list[Diagnostic]:
    notes, seen = [], set()
    for turn in raw.turns:
        if turn.label is None:
            continue
        resolution = resolutions[normalise_label(turn.label)]
        if resolution.note and resolution.note not in seen:
            seen.add(resolution.note)
            notes.append(warning(raw.path, turn.line, resolution.note_kind, resolution.note))
    return notes


def _slugs(transcripts: list[RawTranscript]) -> list[str]:
    """Date and title make the slug; a repeat gets -2, -3 in path order."""
    taken: Counter[str] = Counter()
    slugs = []
    for raw in transcripts:
        stem = PurePosixPath(raw.path).stem
        base = slugify(raw.title, fallback=slugify(stem, fallback="briefing"))
        if raw.date and not base.startswith(raw.date.isoformat()):
            base = slugify(f"{raw.date.isoformat()} {base}")
        taken[base] += 1
        slugs.append(base if taken[base] == 1 else f"{base}-{taken[base]}")
    return slugs


def _briefing(raw: RawTranscript, slug: str) -> Briefing:
    return Briefing(
        slug=slug, source=raw.path, title=raw.title or PurePosixPath(raw.path).stem,
        date=raw.date, kind=raw.event_kind, time=raw.time,
        place=raw.place, source_url=raw.source_url,
    )


def _utterance(briefing, turn, resolution: Resolution | None, people: _People) -> Utterance:
    utterance = Utterance(
        briefing=briefing, index=len(briefing.utterances) + 1, line=turn.line,
        label=turn.label, kind=TurnKind.NARRATION, paragraphs=turn.paragraphs,
        words=turn.words,  # worked out by the parse (if in this process): Utterance.text need not again
    )
    if resolution is None:
        return utterance
    if resolution.role:
        utterance.role, utterance.kind = resolution.role, resolution.role.kind
        return utterance
    speaker = people.get(resolution)
    speaker.utterances.append(utterance)
    utterance.speaker, utterance.kind = speaker, TurnKind.REMARKS
    return utterance


class _People:
    """One Speaker per slug; names seen before skip the slugging."""

    def __init__(self) -> None:
        self.by_slug: dict[str, Speaker] = {}
        self.by_name: dict[str, Speaker] = {}

    def get(self, resolution: Resolution) -> Speaker:
        name = resolution.name or ""
        if (known := self.by_name.get(name)) is not None:
            return known
        slug = slugify(name, fallback="speaker")
        if slug not in self.by_slug:
            person = resolution.person
            self.by_slug[slug] = Speaker(
                slug=slug, name=name or slug, offices=list(resolution.offices),
                bio=person.bio if person else None,
            )
        self.by_name[name] = self.by_slug[slug]
        return self.by_slug[slug]


def exchanges(utterances: list[Utterance]) -> list[Exchange]:
    """Split turns into exchanges: a question (and its follow-up questions) starts one."""
    result: list[Exchange] = [Exchange(0, [])]
    previous_kind = None
    for utterance in utterances:
        asks = utterance.kind is TurnKind.QUESTION
        if asks and previous_kind is not TurnKind.QUESTION and result[-1].utterances:
            result.append(Exchange(len(result), []))
        result[-1].utterances.append(utterance)
        previous_kind = utterance.kind
    return [x for x in result if x.utterances]


def _chain(briefings: list[Briefing]) -> None:
    """Previous and next in date order."""
    ordered = sorted(briefings, key=Briefing.sort_key)
    for older, newer in itertools.pairwise(ordered):
        older.next, newer.previous = newer, older

