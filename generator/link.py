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
from generator.floor import press
from generator.identity import Resolution, Resolver, fold, office_word, surname_of
from generator.model import Briefing, Resolved, Site, Speaker, TurnKind, Unresolved, slugify
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
         memo: LinkMemo | None = None, root: str = "") -> tuple[Site, list[Diagnostic]]:
    """Build the site model from every parsed transcript (sorted by path for determinism).
    It works label by label, never turn by turn: a briefing's turns are made from what
    its labels resolved to when a page reads them (Briefing.utterances). `memo` (updated
    in place) is what the previous link pass worked out. Evidence names sources relative
    to `root`, the content folder as sources' paths begin with it."""
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
    local = [_resolve_locally(t, k, resolver, periods.get(_folder(t)), known, memo.local, root)
             for t, k in zip(transcripts, keys)]
    basis = resolver.archive_basis()
    if basis == memo.basis:
        resolver.recall(memo.archived)
    memo.changed = memo.changed or known != memo.local
    answers = []  # each briefing's resolutions, label by label in order of first turn
    for raw, cast, labels, resolutions in zip(transcripts, casts, keys, local):
        period = periods.get(_folder(raw)) if raw.date is None else None
        for key, label in zip(labels, cast.labels):
            if key not in resolutions:
                resolutions[key] = _slip_of_a_neighbour(key, label, labels, cast, resolutions) \
                    or resolver.archive(key, label, raw.date, period)
        answers.append([resolutions[key] for key in labels])
    people = _People(resolver, answers)
    diagnostics: list[Diagnostic] = []
    briefings = []
    unknown: dict[str, list] = {}  # labels no evidence names, where they occur
    for raw, cast, labels, slug, resolutions, found in zip(transcripts, casts, keys, _slugs(transcripts), local,
                                                           answers):
        briefing = _briefing(raw, cast, slug)
        resolved, appearing = [], {}
        for i, resolution in enumerate(found):  # in order of first turn, as a reader meets them
            resolved.append(_resolved(resolution, people))
            if (speaker := resolved[-1].speaker) is not None:
                appearing.setdefault(speaker, []).append(i)
                speaker.evidence.setdefault(cast.labels[i], [resolution.evidence or "the label itself", 0])[1] += 1
            if resolution.note_kind == "unknown-label" and resolution.note:
                unknown.setdefault(labels[i], []).append((raw, cast, i, resolution))
        for speaker, ids in appearing.items():
            speaker.appearing.append((briefing, tuple(ids)))
        briefing.resolved = tuple(resolved)
        diagnostics += _label_notes(raw, cast, labels, resolutions)
        briefings.append(briefing)
    if basis != memo.basis or resolver.archived != memo.archived:
        memo.basis, memo.archived, memo.changed = basis, dict(resolver.archived), True
    _chain(briefings)
    reporters, outlets = press(briefings)  # in path order: each name's printed form is fixed by them
    briefings.sort(key=Briefing.sort_key, reverse=True)
    speakers = sorted(people.by_slug.values(), key=lambda s: (s.name.lower(), s.slug))
    return Site(briefings=briefings, speakers=speakers, unresolved=_unresolved(unknown, people, root),
                reporters=reporters, outlets=outlets), diagnostics


def _unresolved(unknown: dict[str, list], people: _People, root: str) -> list[Unresolved]:
    """Each label no evidence names, with its turns, briefings and first turn."""
    found = []
    for places in unknown.values():
        raw, cast, i, resolution = places[0]
        why = resolution.note.split(": ", 1)[-1]
        found.append(Unresolved(cast.labels[i], people.get(resolution).name, sum(c.counts[j] for _, c, j, _ in places),
                                len(places), f"{_named(raw.path, root)}:{cast.lines[i]}", why))
    return sorted(found, key=lambda u: (-u.turns, u.label))


def _named(path: str, root: str) -> str:
    """A source as evidence names it: relative to the content folder (`root`), so that
    the site says the same wherever it is built from."""
    return path.removeprefix(root)


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
                     known: dict, memo: dict, root: str = "") -> dict[str, Resolution]:
    """The labels (normalised, in order of first turn) the briefing itself resolves, as
    the previous build resolved them if everything they depend on is the same (and what
    they taught the resolver taught again)."""
    source = _named(raw.path, root)
    context = [(raw.principal, raw.principal_office, "header", source)] if raw.principal else []
    context += [(text, None, "front matter", source) for text in raw.speakers if text]
    context += [(raw.title, None, "title", source)] if raw.title else []
    context += [(text, None, "header", f"{source}:{line}") for line, text in raw.header if text]
    context += [(name, office, how, f"{source}:{line}") for name, office, how, line in raw.mentions]
    inputs = hashlib.blake2b(repr((keys, raw.date, context, period)).encode(), digest_size=16).digest()
    before = known.get(raw.path)
    if before is not None and before[0] == inputs:
        resolver.relearn(before[2])
        memo[raw.path] = before
        return dict(before[1])
    resolutions: dict[str, Resolution | None] = {}
    resolver.learnt = []
    try:
        resolver.mentioned(raw.mentions, *((raw.date, raw.date) if raw.date else (period or (None, None))), source)
        for key, line in zip(keys, raw.cast().lines):
            if key not in resolutions:
                resolutions[key] = resolver.local(key, raw.date, context, period, f"{source}:{line}")
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
    """`MR. GIBS` among the turns of `MR. GIBBS`: a label one letter off (two from seven
    letters), with the same first letter, the surname of a label with more turns in the
    same briefing, already resolved, is a slip of it."""
    surname = surname_of(key)
    if surname is None or " " in surname or len(surname) < 4:
        return None
    mine = cast.counts[keys.index(key)]
    for other, count in zip(keys, cast.counts):
        theirs = surname_of(other)
        resolved = resolutions.get(other)
        if theirs and theirs != surname and count > mine and resolved is not None and resolved.name \
                and theirs[0] == surname[0] and OSA.distance(surname, theirs) <= (1 if len(surname) < 7 else 2):
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
    (Resolver.canonical), and labels no evidence names (`MR. BRAZILE`, `MS. BRAZILE`)
    are one person per surname, printed as most briefings print them."""

    def __init__(self, resolver: Resolver, answers: list[list[Resolution]]) -> None:
        self.resolver = resolver
        self.by_slug: dict[str, Speaker] = {}
        self.by_name: dict[str, Speaker] = {}
        forms: dict[str, Counter[str]] = {}
        for found in answers:
            for printed in {r.name for r in found if r.name and r.person is None and unnamed(r.name)}:
                forms.setdefault(fold(printed.split()[-1]), Counter())[printed] += 1
        self.unnamed = {surname: min(c.items(), key=lambda item: (-item[1], item[0]))[0]
                        for surname, c in forms.items()}

    def get(self, resolution: Resolution) -> Speaker:
        printed = resolution.name or ""
        if (known := self.by_name.get(printed)) is not None:
            return known
        if resolution.person:
            name = resolution.person.name
        elif printed and unnamed(printed):
            name = self.unnamed[fold(printed.split()[-1])]
        else:
            name = self.resolver.canonical(printed)
        slug = slugify(name, fallback="speaker")
        if slug not in self.by_slug:
            person = resolution.person
            self.by_slug[slug] = Speaker(
                slug=slug, name=name or slug, offices=list(resolution.offices),
                bio=person.bio if person else None,
            )
        speaker = self.by_name[printed] = self.by_slug[slug]
        if printed != speaker.name:
            speaker.variants.add(printed)
        return speaker


def unnamed(name: str) -> bool:
    """`Ms. Brazile`, `Acting Administrator Slavitt`: a name with no given name, only an
    office or honorific before the surname."""
    words = normalise_label(name).split()
    return len(words) > 1 and all(office_word(w) for w in words[:-1])


def _chain(briefings: list[Briefing]) -> None:
    """Previous and next in date order."""
    ordered = sorted(briefings, key=Briefing.sort_key)
    for older, newer in itertools.pairwise(ordered):
        older.next, newer.previous = newer, older

