"""The link pass: after every file is read, turn raw records into one connected site.

Slugs, speaker identity across briefings and prev/next all live here, because each
depends on more than one file. Exchanges are a briefing's own (model.exchanges).
"""

from __future__ import annotations

import hashlib
import itertools
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from rapidfuzz.distance import OSA

from generator.errors import Diagnostic, warning
from generator.identity import Resolution, Resolver, surname_of
from generator.model import Briefing, Resolved, Site, Speaker, TurnKind, slugify
from generator.parse.records import Cast, RawTranscript
from generator.registry import Registry, normalise_label


@dataclass
class LinkMemo:
    """What a link pass worked out, for the next one (kept in the build cache): each
    transcript's own resolutions with what they taught the resolver, under a digest of
    everything they depend on; and the archive's answers, under the basis they were
    given on (Resolver.archive_basis). A rebuild resolves again only what changed."""

    registry: str = ""  # digest of the registry the rest was worked out with
    local: dict[str, tuple[bytes, tuple, tuple]] = field(default_factory=dict)  # path -> (inputs, resolutions, learnt)
    basis: str = ""
    archived: dict = field(default_factory=dict)
    changed: bool = False


def link(transcripts: list[RawTranscript], registry: Registry,
         memo: LinkMemo | None = None) -> tuple[Site, list[Diagnostic]]:
    """Build the site model from every parsed transcript (sorted by path for determinism).
    It works label by label, never turn by turn: a briefing's turns are made from what
    its labels resolved to when a page reads them (Briefing.utterances). `memo` (updated
    in place) is what the previous link pass worked out."""
    transcripts = sorted(transcripts, key=lambda t: t.path)
    memo = memo if memo is not None else LinkMemo()
    resolver = Resolver(registry)
    periods = _folder_periods(transcripts)
    casts = [raw.cast() for raw in transcripts]
    keys = [[normalise_label(label) for label in cast.labels] for cast in casts]
    registered = hashlib.blake2b(repr(registry).encode(), digest_size=16).hexdigest()
    known, memo.local = (memo.local if memo.registry == registered else {}), {}
    memo.changed = memo.changed or memo.registry != registered
    memo.registry = registered
    local = [_resolve_locally(t, k, resolver, periods.get(_folder(t)), known, memo.local)
             for t, k in zip(transcripts, keys)]
    basis = resolver.archive_basis()
    if basis == memo.basis:
        resolver.recall(memo.archived)
    memo.changed = memo.changed or known != memo.local
    people = _People(resolver)
    diagnostics: list[Diagnostic] = []
    briefings = []
    for raw, cast, labels, slug, resolutions in zip(transcripts, casts, keys, _slugs(transcripts), local):
        briefing = _briefing(raw, cast, slug)
        resolved, appearing = [], {}
        period = periods.get(_folder(raw)) if raw.date is None else None
        for i, (key, label) in enumerate(zip(labels, cast.labels)):  # in order of first turn, as a reader meets them
            resolution = resolutions.get(key) or _slip_of_a_neighbour(key, label, labels, cast, resolutions) \
                or resolver.archive(key, label, raw.date, period)
            resolutions[key] = resolution
            resolved.append(_resolved(resolution, people))
            if (speaker := resolved[-1].speaker) is not None:
                appearing.setdefault(speaker, []).append(i)
        for speaker, ids in appearing.items():
            speaker.appearing.append((briefing, tuple(ids)))
        briefing.resolved = tuple(resolved)
        diagnostics += _label_notes(raw, cast, labels, resolutions)
        briefings.append(briefing)
    if basis != memo.basis or resolver.archived != memo.archived:
        memo.basis, memo.archived, memo.changed = basis, dict(resolver.archived), True
    _chain(briefings)
    briefings.sort(key=Briefing.sort_key, reverse=True)
    speakers = sorted(people.by_slug.values(), key=lambda s: (s.name.lower(), s.slug))
    return Site(briefings=briefings, speakers=speakers), diagnostics


def _folder(raw: RawTranscript) -> str:
    return posixpath.dirname(raw.path) or "."  # as PurePosixPath's parent: the path is pathlib's


def _folder_periods(transcripts: list[RawTranscript]) -> dict[str, tuple]:
    """The first and last date of each folder's dated transcripts: an undated transcript
    in a folder that spans one office-holder's term was given by that holder."""
    dates: dict[str, list] = {}
    for raw in transcripts:
        if raw.date:
            dates.setdefault(_folder(raw), []).append(raw.date)
    return {folder: (min(days), max(days)) for folder, days in dates.items()}


def _resolve_locally(raw: RawTranscript, keys: list[str], resolver: Resolver, period,
                     known: dict, memo: dict) -> dict[str, Resolution]:
    """The labels (normalised, in order of first turn) the briefing itself resolves, as
    the previous build resolved them if everything they depend on is the same (and what
    they taught the resolver taught again)."""
    context = [(raw.principal, raw.principal_office, "header", raw.path)] if raw.principal else []
    context += [(text, None, "front matter", raw.path) for text in raw.speakers if text]
    context += [(raw.title, None, "title", raw.path)] if raw.title else []
    context += [(text, None, "header", f"{raw.path}:{line}") for line, text in raw.header if text]
    context += [(name, office, how, f"{raw.path}:{line}") for name, office, how, line in raw.mentions]
    inputs = hashlib.blake2b(repr((keys, raw.date, context, period)).encode(), digest_size=16).digest()
    before = known.get(raw.path)
    if before is not None and before[0] == inputs:
        resolver.relearn(before[2])
        memo[raw.path] = before
        return dict(before[1])
    resolutions: dict[str, Resolution | None] = {}
    resolver.learnt = []
    try:
        resolver.mentioned(raw.mentions, *((raw.date, raw.date) if raw.date else (period or (None, None))), raw.path)
        for key, line in zip(keys, raw.cast().lines):
            if key not in resolutions:
                resolutions[key] = resolver.local(key, raw.date, context, period, f"{raw.path}:{line}")
        learnt = tuple(resolver.learnt)
    finally:
        resolver.learnt = None
    found = {k: v for k, v in resolutions.items() if v is not None}
    memo[raw.path] = (inputs, tuple(found.items()), learnt)
    return found


def _label_notes(raw: RawTranscript, cast: Cast, keys: list[str],
                 resolutions: dict[str, Resolution]) -> list[Diagnostic]:
    """A warning for each distinct note, at the first turn it concerns."""
    notes, seen = [], set()
    for key, line in zip(keys, cast.lines):
        resolution = resolutions[key]
        if resolution.note and resolution.note not in seen:
            seen.add(resolution.note)
            notes.append(warning(raw.path, line, resolution.note_kind, resolution.note))
    return notes


def _slip_of_a_neighbour(key: str, label: str, keys: list[str], cast: Cast,
                         resolutions: dict[str, Resolution]) -> Resolution | None:
    """`MR. GIBS` among the turns of `MR. GIBBS`: a label one or two letters off the
    surname of a label with more turns in the same briefing, already resolved, is a slip
    of it."""
    surname = surname_of(key)
    if surname is None or " " in surname or len(surname) < 4:
        return None
    mine = cast.counts[keys.index(key)]
    for other, count in zip(keys, cast.counts):
        theirs = surname_of(other)
        resolved = resolutions.get(other)
        if theirs and theirs != surname and count > mine and resolved is not None and resolved.name \
                and OSA.distance(surname, theirs) <= (1 if len(surname) < 7 else 2):
            return Resolution(name=resolved.name, person=resolved.person, offices=resolved.offices,
                              note_kind="label-typo", evidence=f"variant of '{cast.labels[keys.index(other)]}' "
                                                               "in the same briefing",
                              note=f"speaker label '{label}' looks like a misspelling of "
                                   f"'{cast.labels[keys.index(other)]}'")
    return None


def _slugs(transcripts: list[RawTranscript]) -> list[str]:
    """Date and title make the slug; a repeat gets -2, -3 in path order."""
    taken: Counter[str] = Counter()
    slugs = []
    for raw in transcripts:
        base = slugify(raw.title, fallback="") or slugify(PurePosixPath(raw.path).stem, fallback="briefing")
        if raw.date and not base.startswith(raw.date.isoformat()):
            base = slugify(f"{raw.date.isoformat()} {base}")
        taken[base] += 1
        slugs.append(base if taken[base] == 1 else f"{base}-{taken[base]}")
    return slugs


def _briefing(raw: RawTranscript, cast: Cast, slug: str) -> Briefing:
    return Briefing(
        slug=slug, source=raw.path, title=raw.title or PurePosixPath(raw.path).stem,
        date=raw.date, kind=raw.event_kind, time=raw.time,
        place=raw.place, source_url=raw.source_url, raw=raw, cast=cast,
    )


def _resolved(resolution: Resolution, people: _People) -> Resolved:
    if resolution.role:
        return Resolved(resolution.role.kind, None, resolution.role)
    return Resolved(TurnKind.REMARKS, people.get(resolution), None)


class _People:
    """One Speaker per person: every variant of a name is printed in its one form
    (Resolver.canonical); names seen before skip the slugging."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.by_slug: dict[str, Speaker] = {}
        self.by_name: dict[str, Speaker] = {}

    def get(self, resolution: Resolution) -> Speaker:
        printed = resolution.name or ""
        if (known := self.by_name.get(printed)) is not None:
            return known
        name = resolution.person.name if resolution.person else self.resolver.canonical(printed)
        slug = slugify(name, fallback="speaker")
        if slug not in self.by_slug:
            person = resolution.person
            self.by_slug[slug] = Speaker(
                slug=slug, name=name or slug, offices=list(resolution.offices),
                bio=person.bio if person else None,
            )
        self.by_name[printed] = self.by_slug[slug]
        return self.by_slug[slug]


def _chain(briefings: list[Briefing]) -> None:
    """Previous and next in date order."""
    ordered = sorted(briefings, key=Briefing.sort_key)
    for older, newer in itertools.pairwise(ordered):
        older.next, newer.previous = newer, older

