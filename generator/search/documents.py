"""What the build pipeline hands to the search indexer: one record per utterance."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchDocument:
    ref: int  # dense 0..N-1 in site order (briefings by date ascending, then utterance order)
    text: str  # words spoken (plain text; stage directions already removed)
    speaker: str  # display name or role ("John Kerry", "Question")
    speaker_slug: str | None
    title: str  # briefing title
    kind: str  # event kind slug: "briefing", "press-conference", "gaggle", ...
    date: str | None  # ISO yyyy-mm-dd
    url: str  # site-root-relative URL of the utterance: "briefings/<slug>/#u12"
