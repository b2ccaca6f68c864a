"""What the build pipeline hands to the search indexer: briefings and their utterances."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

# The keys of SearchDocument.filters: a reporter's and an outlet's by slug, and one for
# interpreted turns (a speaker's slug never starts with "@").
REPORTER_KEY, OUTLET_KEY, INTERPRETED_KEY = "@reporter/", "@outlet/", "@interpreted"


@dataclass(frozen=True)
class SearchDocument:
    """One utterance with words."""

    position: int  # 0-based place of the utterance in its briefing (stable while it is unedited)
    text: str  # words spoken (plain text; stage directions already removed)
    speaker: str  # display name or role ("John Kerry", "Question")
    speaker_slug: str | None
    url: str  # site-root-relative URL of the utterance: "briefings/<slug>/#u12"
    # who asked and who answered in its exchange, as a result shows them ("Karen DeYoung,
    # Washington Post"; "John Kerry, Sergey Lavrov"), when a reporter is named
    asker: str | None = None
    answerers: str | None = None
    # the filters beyond its speaker it is found by: (key, display name), keys such as
    # "@reporter/karen-deyoung", "@outlet/washington-post", "@interpreted"
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchBriefing:
    """One briefing as the index sees it. `key` promises equal documents: an incremental
    build trusts it and re-analyses only briefings whose key (or place) changed."""

    slug: str  # unique in the site
    title: str
    kind: str  # event kind slug: "briefing", "press-conference", "gaggle", ...
    date: str | None  # ISO yyyy-mm-dd
    size: int  # utterance positions: every document's position is below it
    key: str = ""
    docs: tuple[SearchDocument, ...] = ()  # may stay empty when the caller supplies documents itself

    def with_key(self) -> SearchBriefing:
        """This briefing with `key` computed from its own fields and documents."""
        parts = [self.slug, self.title, self.kind, self.date or "", str(self.size)]
        for d in self.docs:
            parts += [str(d.position), d.text, d.speaker, d.speaker_slug or "", d.url, d.asker or "",
                      d.answerers or "", repr(d.filters)]
        return replace(self, key=hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest())
