"""The link pass remembers what each transcript resolved to, and the archive's answers,
and works them out again only when what they depend on changed."""

import pickle

import pytest

from generator.identity import Resolver
from generator.link import LinkMemo, link
from generator.parse import parse_transcript
from generator.registry import Person, Registry


def transcript(path: str, title: str, *turns: str):
    return parse_transcript(path, f"---\ntitle: {title}\ndate: 2015-03-02\n---\n\n" + "\n\n".join(turns) + "\n")


def archive() -> list:
    return [
        transcript("a.md", "Press Briefing by Press Secretary Josh Earnest", "MR. EARNEST: Good afternoon.", "Q: Josh?"),
        transcript("b.md", "Press Gaggle", "MR. EARNEST: Hello.", "MR. EARNET: A slip.", "MR. NOBODY: Who?"),
        transcript("c.md", "Remarks by Secretary Kerry", "SECRETARY KERRY: Thanks.", "MR. EARNEST: Yes."),
    ]


def outcome(site, notes) -> list:
    """Who each label of each briefing resolved to, and the warnings."""
    return [[(r.kind, r.speaker and (r.speaker.slug, r.speaker.name, tuple(r.speaker.offices)), r.role)
             for r in b.resolved] for b in site.briefings] + [notes]


@pytest.fixture
def calls(monkeypatch):
    counted = {"local": 0, "archive": 0}
    for name in counted:
        real = getattr(Resolver, "_archive" if name == "archive" else name)

        def call(self, *args, _real=real, _name=name):
            counted[_name] += 1
            return _real(self, *args)
        monkeypatch.setattr(Resolver, "_archive" if name == "archive" else name, call)
    return counted


def test_a_second_pass_resolves_nothing_again_and_links_the_same(calls):
    fresh = outcome(*link(archive(), Registry()))
    memo = LinkMemo()
    assert outcome(*link(archive(), Registry(), memo)) == fresh and memo.changed
    memo = pickle.loads(pickle.dumps(memo))  # as the build cache keeps it
    memo.changed = False
    calls.update(local=0, archive=0)
    assert outcome(*link(archive(), Registry(), memo)) == fresh
    assert calls == {"local": 0, "archive": 0} and not memo.changed


def test_a_changed_transcript_is_resolved_again_and_so_are_answers_it_changes(calls):
    memo = LinkMemo()
    link(archive(), Registry(), memo)
    calls.update(local=0, archive=0)
    changed = archive()
    changed[2] = transcript("c.md", "Remarks by Secretary Kerry and Jim Nobody",
                            "SECRETARY KERRY: Thanks.", "MR. NOBODY: Me.")  # teaches who MR. NOBODY is
    assert outcome(*link(changed, Registry(), memo)) == outcome(*link(changed, Registry()))
    assert calls["local"] == 2 + 7  # c.md's two labels with the memo; the 7 of all three without
    calls.update(local=0, archive=0)
    assert outcome(*link(changed, Registry(), memo)) == outcome(*link(changed, Registry()))
    site, _ = link(changed, Registry(), memo)
    names = {b.source: {r.speaker.name for r in b.resolved if r.speaker} for b in site.briefings}
    assert names["b.md"] == {"Josh Earnest", "Jim Nobody"}  # its MR. NOBODY answered anew by the archive


def test_a_changed_registry_resolves_everything_again(calls):
    memo = LinkMemo()
    link(archive(), Registry(), memo)
    registry = Registry([Person("Joshua Earnest", aliases=("MR EARNEST",))])
    calls.update(local=0, archive=0)
    assert outcome(*link(archive(), registry, memo)) == outcome(*link(archive(), registry))
    assert calls["local"] == 2 * 7  # every distinct label of the three, with the memo and without
    site, _ = link(archive(), registry, memo)
    assert "Joshua Earnest" in {r.speaker.name for b in site.briefings for r in b.resolved if r.speaker}
