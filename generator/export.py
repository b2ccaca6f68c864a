"""The JSON export, a public contract (documented in the README):

- `api/index.json`: every briefing as `{slug, title, date, url}`, newest first;
- `api/briefings/<slug>.json`: slug, title, date (ISO 8601 or null), url, kind, place,
  speakers `[{slug, name}]`, utterances in order `[{id, speaker, label, kind, text,
  exchange, marks}]` (and `asker` on questions), figures;
- `api/people.json`: every person with the labels that named them and the evidence for
  each, and the labels no evidence names (what `podium people` prints).
"""

from __future__ import annotations

import json

from generator.model import Briefing, Site, TurnKind
from generator.render import Page, content_key


def export_pages(site: Site) -> list[Page]:
    """The export files as pages, rendered (and skipped when unchanged) like the others."""
    summaries = [_summary(b) for b in site.briefings]
    index = Page("api/index.json", "", {"summaries": summaries},
                 tuple(tuple(s.values()) for s in summaries),
                 make=lambda context: _dump(context["summaries"]))
    records = people_record(site)
    people = Page("api/people.json", "", {"people": records}, (repr(records),),
                  make=lambda context: _dump(context["people"]))
    return [index, people] + [
        Page(f"api/briefings/{b.slug}.json", "", {"briefing": b}, content_key(b), make=_briefing_json)
        for b in site.briefings
    ]


def _briefing_json(context: dict) -> bytes:
    return _dump(briefing_record(context["briefing"]))


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
            _utterance(u, exchange.id)
            for exchange in briefing.exchanges for u in exchange.utterances
        ],
        "figures": briefing.figures(),
    }


def _utterance(u, exchange: str) -> dict:
    record = {
        "id": u.id,
        "speaker": u.speaker.slug if u.speaker else None,
        "label": u.label,
        "kind": u.kind.value,
        "text": u.text,
        "exchange": exchange,
        "marks": [{"kind": kind, "text": text, **({"language": language} if language else {})}
                  for kind, text, language in u.marks],
    }
    if u.kind is TurnKind.QUESTION:
        record["asker"] = asker_record(u.asker)
    return record


def asker_record(asker) -> dict | None:
    """Who asks a question, and the turn that named them (floor.askers)."""
    if asker is None:
        return None
    return {
        "name": asker.reporter.name if asker.reporter else None,
        "slug": asker.reporter.slug if asker.reporter else None,
        "outlet": asker.outlet.name if asker.outlet else None,
        "called": asker.called,
        "how": asker.how,
        "evidence": asker.evidence_id,
    }


def people_record(site: Site) -> dict:
    """Who is who, and why: each speaker's labels with the evidence for them (see
    identity.Resolution.evidence), then the labels no evidence names."""
    return {
        "people": [
            {"slug": s.slug, "name": s.name, "url": s.url, "variants": sorted(s.variants),
             "first": _iso(s.period[0]), "last": _iso(s.period[1]), "briefings": len(s.appearing),
             "turns": s.turn_count,
             "labels": [{"label": label, "evidence": how, "briefings": count}
                        for label, (how, count) in s.evidence.items()]}
            for s in site.speakers
        ],
        "unresolved": [u._asdict() for u in site.unresolved],
    }


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _dump(value: object) -> bytes:
    # Compact: with `indent`, json falls back to its pure-Python encoder, 5x slower.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (html_safe(text) + "\n").encode("utf-8")


def html_safe(json_text: str) -> str:
    """JSON that no browser can read as markup, even if served as HTML: `<`, `>` and `&`
    only occur inside strings, where their \\u escapes mean the same characters."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
