"""Where each utterance sits in the index: refs that stay put.

A briefing owns a block of refs fixed by its own date and slug: a slot is a day's share
(8 a day) of 1,024 utterance positions, and an utterance's ref is its block's start plus
its position in the briefing. Refs are in date order, and they stay put when other
briefings come and go; only briefings on the same day (or hashed close together, when
undated) can move each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from generator.search.documents import SearchBriefing

POSITIONS = 1024  # refs per slot; a briefing with more utterances takes several slots
SLOTS_PER_DAY = 8  # more briefings on one day spill into the next day's slots
UNDATED_SLOTS = 1 << 18  # undated briefings sit below every date, placed by a hash of their slug
EPOCH = dt.date(1800, 1, 1)  # earlier dates share the first day's slots


def assign_slots(briefings: Sequence[SearchBriefing]) -> list[int]:
    """Each briefing's first slot (its refs start at slot * POSITIONS). A dated briefing
    starts at its day's first slot, or after the briefing before it when that one
    overflows; an undated one at a hash of its slug, below all dates. Only briefings on
    the same day (or hashed close together) can move each other."""
    order = sorted(range(len(briefings)), key=lambda i: (_base(briefings[i]), briefings[i].slug))
    slots = [0] * len(briefings)
    free = 0
    for i in order:
        slots[i] = max(_base(briefings[i]), free)
        free = slots[i] + span(briefings[i])
    return slots


def _base(briefing: SearchBriefing) -> int:
    if briefing.date is None:
        return int.from_bytes(hashlib.blake2b(briefing.slug.encode(), digest_size=8).digest()) % UNDATED_SLOTS
    days = max(0, (dt.date.fromisoformat(briefing.date) - EPOCH).days)
    return UNDATED_SLOTS + days * SLOTS_PER_DAY


def span(briefing: SearchBriefing) -> int:
    return max(1, -(-briefing.size // POSITIONS))


def ref_of(slot: int, position: int) -> int:
    return slot * POSITIONS + position
