"""The JSON export, a public contract (documented in the README):

- `api/index.json`: every briefing as `{slug, title, date, url}`, newest first;
- `api/briefings/<slug>.json`: slug, title, date (ISO 8601 or null), url, kind, place,
  speakers `[{slug, name}]`, utterances in order `[{id, speaker, label, kind, text}]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from generator.cache import digest
from generator.model import Briefing, Site
from generator.render import briefing_key
from generator.write import SiteState, Unchanged


def export(site: Site, previous: SiteState | None = None, keys: dict[str, str] | None = None,
           environment_key: str = "") -> Iterator[tuple[str, bytes | Unchanged]]:
    """The export files, one at a time; a briefing whose key equals the previous build's
    is `Unchanged`. The keys used are recorded in `keys`."""
    previous = previous or SiteState()
    keys = {} if keys is None else keys
    yield "api/index.json", _dump([_summary(b) for b in site.briefings])
    for briefing in site.briefings:
        path = f"api/briefings/{briefing.slug}.json"
        keys[path] = digest(f"{environment_key} {path} {briefing_key(briefing)!r}".encode())
        yield path, previous.unchanged(path, keys[path]) or _dump(briefing_record(briefing))


def _summary(briefing: Briefing) -> dict:
    return {
        "slug": briefing.slug,
        "title": briefing.title,
        "date": briefing.date.isoformat() if briefing.date else None,
        "url": briefing.url,
    }


def briefing_record(briefing: Briefing) -> dict:
    return {
        **_summary(briefing),
        "kind": briefing.kind,
        "place": briefing.place,
        "speakers": [{"slug": s.slug, "name": s.name} for s in briefing.speakers],
        "utterances": [
            {
                "id": u.id,
                "speaker": u.speaker.slug if u.speaker else None,
                "label": u.label,
                "kind": u.kind.value,
                "text": u.text,
            }
            for u in briefing.utterances
        ],
    }


def _dump(value: object) -> bytes:
    # Compact: with `indent`, json falls back to its pure-Python encoder, 5x slower.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (html_safe(text) + "\n").encode("utf-8")


def html_safe(json_text: str) -> str:
    """JSON that no browser can read as markup, even if served as HTML: `<`, `>` and `&`
    only occur inside strings, where their \\u escapes mean the same characters."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
