"""The differential harness: an incremental build equals a clean build, byte for byte,
after any sequence of changes a site's owner (or a crash) can make.

A hypothesis state machine keeps one site (content, its cache, its output) and applies
random changes: transcripts added, edited, deleted, renamed, touched, moved between
folders or given another date; speakers.yaml and podium.yaml edited; each build flag
changed (--base-url, --title, --config, --workers, --cache); a template or a static file edited;
the cache deleted, corrupted or shared with another site; a build killed or interrupted
midway. After each step the site is built incrementally and, from nothing, into a fresh
folder; the two must hold the same files with the same bytes, and say the same
warnings.

Each run prints its seed; replay one with PODIUM_HARNESS_SEED=N. PODIUM_HARNESS_EXAMPLES
sets how many sequences are tried (default 25, of up to 10 steps each), and
PODIUM_HARNESS_SHRINK=0 reports a failing sequence as found instead of shrinking it
first (shrinking can take minutes).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import shutil
import signal
import time
from pathlib import Path
from unittest import mock

import hypothesis.strategies as st
import yaml
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

import generator.build
import generator.render
import generator.write
from generator.build import build
from generator.config import find_config, load_config
from generator.errors import Severity

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATES = generator.render.template_dir()

# Real excerpts (tests/fixtures) and a few small briefings whose dated labels (THE
# PRESIDENT, THE PRESS SECRETARY) resolve to someone else when their date moves.
REAL = ["wh_text_q_nbsp.txt", "md_correction_strike.md", "md_teleconference_moderator.md",
        "sd_footnote_empty_lines.txt", "md_turns_without_blank_lines.md", "wh_text_release_banner.txt"]
DATES = ["2009-07-14", "2012-03-01", "2015-12-17", "2017-06-01", "2021-02-10", "2023-01-11", "2024-06-07"]
WORDS = ["ceasefire", "tariffs", "vaccine", "Kabul", "inflation", "summit", "pandemic"]
FOLDERS = ["", "2015/", "archive/older/"]


def small_briefing(n: int, day: str) -> bytes:
    return (f"---\ntitle: Press Briefing Number {n}\ndate: '{day}'\n---\n\n"
            f"THE PRESIDENT: Good afternoon. We talked about {WORDS[n % len(WORDS)]} today.\n\n"
            f"Q: Mr. President, what about {WORDS[(n + 1) % len(WORDS)]}?\n\n"
            "THE PRESIDENT: I'll let the Press Secretary answer that.\n\n"
            "MR. GIBBS: And I agree with him.\n\n"
            "MR. EARNEST: So do I.\n\n"
            "THE PRESS SECRETARY: Thank you. (Laughter.) Next question.\n\n"
            "MR. KIRBY: The Secretary will travel on Monday.\n").encode()


POOL = {name: (FIXTURES / name).read_bytes() for name in REAL} | {
    f"small-{n}.md": small_briefing(n, DATES[n % len(DATES)]) for n in range(4)}

PEOPLE = [
    {"name": "John Kirby", "aliases": ["MR KIRBY"], "bio": "Spokesperson."},
    {"name": "Josh Earnest", "aliases": ["MR EARNEST"],
     "offices": [{"title": "White House Press Secretary", "from": "2014-06-01", "to": "2017-01-20",
                  "labels": ["THE PRESS SECRETARY"]}]},
    {"name": "Jeffrey Zients", "aliases": ["MR ZIENTS"], "bio": "COVID-19 *response* coordinator."},
    {"name": "Karine Jean-Pierre", "aliases": ["MS JEAN-PIERRE"]},
    # a second holder of THE PRESS SECRETARY at the same time: who it names depends on
    # the order of the entries alone, with the same people in the briefing either way
    {"name": "Robert Gibbs", "aliases": ["MR GIBBS"],
     "offices": [{"title": "White House Press Secretary", "from": "2009-01-20", "to": "2017-01-20",
                  "labels": ["THE PRESS SECRETARY"]}]},
]
BIOS = [None, "A *new* bio.", "Another bio, with [a link](https://example.org/)."]
FLAGS = {"base_url": [None, "/flag/", "https://flag.example/", None],
         "title": [None, "Flag Title", "Other Flag Title", None]}
SETTINGS = {"title": ["Harness Archive", "Another <Title> & Co"], "description": ["Words.", "Other words."],
            "language": ["en", "fr"], "base_url": ["/", "/sub/", "https://example.org/archive/"]}


RUNS = itertools.count()
HOUR_AGO = time.time() - 3600


class Differential(RuleBasedStateMachine):
    """One site and the changes made to it; the invariant builds and compares."""

    files = Bundle("files")

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root / f"run-{next(RUNS)}"
        self.content, self.output, self.cache = self.root / "content", self.root / "output", self.root / "cache"
        self.templates = self.root / "templates"
        shutil.copytree(TEMPLATES, self.templates)
        self.content.mkdir(parents=True)
        self.flags: dict = {"base_url": None, "title": None, "config": None, "workers": 1}
        self.counter = 0
        self.people: list[int] = []  # speakers.yaml's entries, as positions in PEOPLE
        self.bios: dict[int, str | None] = {}
        here = lambda: self.templates
        self.patches = [mock.patch.object(generator.render, "template_dir", here),
                        mock.patch.object(generator.build, "template_dir", here)]
        for patch in self.patches:
            patch.start()

    def teardown(self) -> None:
        for patch in self.patches:
            patch.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # ---- building -------------------------------------------------------------------

    def config(self):
        path = self.flags["config"] or find_config(self.content)
        return load_config(path).with_overrides(base_url=self.flags["base_url"], title=self.flags["title"])

    def build(self, output: Path, cache: Path | None, workers: int = 1):
        return build(self.content, output, self.config(), workers=workers, cache=cache)

    @invariant()
    def incremental_equals_clean(self) -> None:
        report = self.build(self.output, self.cache, self.flags["workers"])
        clean = self.root / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        expected = self.build(clean, None)
        assert tree(self.output) == tree(clean)
        assert said(report) == said(expected)
        shutil.rmtree(clean)

    # ---- transcripts ----------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.content / name

    @initialize(target=files, sources=st.lists(st.sampled_from(sorted(POOL)), min_size=1, max_size=3),
                small=st.integers(0, 3), people=st.permutations(range(len(PEOPLE))))
    def start(self, sources, small, people):
        """A site to change: a 2015 briefing whose THE PRESS SECRETARY two registry entries
        claim, another small briefing, a few more transcripts, and speakers.yaml naming
        everyone in PEOPLE."""
        self.speakers_yaml(people)
        names = [self.add("small-2.md", "", aged=True), self.add(f"small-{small}.md", "2015/")]
        return multiple(*names, *(self.add(source, "", aged=True) for source in sources))

    @rule(target=files, source=st.sampled_from(sorted(POOL)), folder=st.sampled_from(FOLDERS),
          aged=st.sampled_from([True, True, False]))
    def add(self, source, folder, aged=False):
        """A new file, just written or with an old time (copied with its time kept): the
        build trusts an unchanged time and size of a file that had settled."""
        self.counter += 1
        name = f"{folder}{self.counter:03}-{source}"
        self.path(name).parent.mkdir(parents=True, exist_ok=True)
        self.path(name).write_bytes(POOL[source])
        if aged:
            os.utime(self.path(name), (HOUR_AGO, HOUR_AGO))
        return name

    @rule(name=files, old=st.sampled_from(WORDS + ["the", "President"]), new=st.sampled_from(WORDS),
          keep_time=st.sampled_from([True, True, False]))
    def edit(self, name, old, new, keep_time):
        """A word changed in place: often the same size, within the same second; or with
        the file's time kept (as `cp -p` and rsync do) where its size changed."""
        path = self.path(name)
        before, stat = path.read_bytes(), path.stat()
        after = before.replace(old.encode(), new.encode(), 1)
        path.write_bytes(after)
        if keep_time and len(after) != len(before):
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    @rule(name=consumes(files))
    def delete(self, name):
        self.path(name).unlink()

    @rule(target=files, name=consumes(files), folder=st.sampled_from(FOLDERS))
    def move(self, name, folder):
        """Renamed, into the same folder or another one (folders bound office labels)."""
        self.counter += 1
        new = f"{folder}{self.counter:03}-{Path(name).name.split('-', 1)[1]}"
        self.path(new).parent.mkdir(parents=True, exist_ok=True)
        self.path(name).rename(self.path(new))
        return new

    @rule(name=files, seconds=st.integers(-100_000, 100_000))
    def touch(self, name, seconds):
        stat = self.path(name).stat()
        os.utime(self.path(name), ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 10**9))

    @rule(name=files, day=st.sampled_from(DATES))
    def redate(self, name, day):
        """Another date: briefings reorder, and dated labels resolve to other people."""
        path = self.path(name)
        text = path.read_bytes()
        path.write_bytes(re.sub(rb"(?m)^date: .*$", f"date: '{day}'".encode(), text, count=1))

    # ---- the site's files -----------------------------------------------------------

    def write_speakers(self) -> None:
        entries = [dict(PEOPLE[i]) | ({"bio": self.bios[i]} if self.bios.get(i) else {}) for i in self.people]
        self.path("speakers.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")

    @rule(people=st.lists(st.sampled_from(range(len(PEOPLE))), unique=True))
    def speakers_yaml(self, people):
        """Other entries."""
        self.people = people
        self.write_speakers()

    @precondition(lambda self: len(self.people) > 1)
    @rule()
    def reorder_speakers(self):
        """The same entries in another order: the first holder of an office wins, so a
        label may name another person of the same briefing."""
        self.people = self.people[::-1]
        self.write_speakers()

    @precondition(lambda self: self.people)
    @rule(pick=st.integers(0, 10**6), bio=st.sampled_from(range(len(BIOS))))
    def edit_bio(self, pick, bio):
        """One entry's bio changed, nothing else."""
        self.bios[self.people[pick % len(self.people)]] = BIOS[bio]
        self.write_speakers()

    @rule(choice=st.dictionaries(st.sampled_from(sorted(SETTINGS)), st.integers(0, 2)))
    def podium_yaml(self, choice):
        settings_ = {key: SETTINGS[key][i % len(SETTINGS[key])] for key, i in choice.items()}
        self.path("podium.yaml").write_text(yaml.safe_dump(settings_), encoding="utf-8")

    @rule(flag=st.sampled_from(["base_url", "title", "config", "workers", "cache"]), value=st.integers(0, 3))
    def change_flag(self, flag, value):
        if flag == "cache":  # --cache: another folder, new or used before
            self.cache = self.root / f"cache-{value % 2}"
        elif flag == "config":
            alternative = self.root / "alternative.yaml"
            alternative.write_text(f"title: Alternative {value}\nbase_url: https://alt.example/{value}/\n")
            self.flags["config"] = alternative if value % 2 else None
        elif flag == "workers":
            self.flags["workers"] = 1 + value % 2
        else:
            self.flags[flag] = FLAGS[flag][value]

    @rule(which=st.sampled_from(["feed.xml", "base.html", "briefing.html", "_macros.html",
                                 "static/css/site.css", "static/js/new.js"]), n=st.integers(0, 9))
    def edit_template(self, which, n):
        path = self.templates / which
        path.parent.mkdir(parents=True, exist_ok=True)
        if which == "feed.xml":
            text = path.read_text().replace("<generator ", f"<!-- {n} --><generator ", 1)
        elif which.startswith("static/"):
            text = (path.read_text() if path.exists() else "") + f"\n/* edit {n} */\n"
        else:
            text = path.read_text().replace("</head>", f"<!-- {n} --></head>", 1).replace(
                "{% block content %}", f"{{% block content %}}<!-- {n} -->", 1)
        path.write_text(text)

    # ---- the cache, and builds that do not finish ------------------------------------

    @rule()
    def delete_cache(self):
        shutil.rmtree(self.cache, ignore_errors=True)

    @rule(pick=st.integers(0, 10**6), how=st.sampled_from(["garbage", "truncate", "empty"]))
    def corrupt_cache(self, pick, how):
        entries = sorted(p for p in self.cache.rglob("*") if p.is_file()) if self.cache.exists() else []
        if not entries:
            return
        entry = entries[pick % len(entries)]
        data = entry.read_bytes()
        entry.write_bytes({"garbage": b"\x80not a cache entry" + data[:20],
                           "truncate": data[: len(data) // 2], "empty": b""}[how])

    @rule(files_written=st.integers(0, 60))
    def kill_a_build(self, files_written):
        """A build killed (SIGKILL) after it made some files: no cleanup runs."""
        pid = os.fork()
        if pid == 0:
            try:
                generator.write._make_file = stopping_after(files_written, lambda: os.kill(os.getpid(), signal.SIGKILL))
                self.build(self.output, self.cache)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)

    @rule(files_written=st.integers(0, 60))
    def interrupt_a_build(self, files_written):
        """Ctrl-C while the build writes: its cleanup runs."""
        with mock.patch.object(generator.write, "_make_file", stopping_after(files_written, interrupt)):
            try:
                self.build(self.output, self.cache)
            except KeyboardInterrupt:
                pass

    @precondition(lambda self: self.cache.exists())
    @rule(base_url=st.sampled_from([None, "https://other.example/"]))
    def another_site_shares_the_cache(self, base_url):
        """Another site built with this site's cache folder (and other settings)."""
        other = self.root / "other"
        shutil.rmtree(other, ignore_errors=True)
        (other / "content").mkdir(parents=True)
        for name in ("wh_text_q_nbsp.txt", "md_correction_strike.md"):
            shutil.copy(FIXTURES / name, other / "content" / name)
        config = load_config(None).with_overrides(base_url=base_url, title="Other")
        build(other / "content", other / "output", config, cache=self.cache)


def stopping_after(files: int, stop):
    """The writer's file maker, calling `stop` instead once `files` files were made."""
    real, made = generator.write._make_file, 0

    def making(*args):
        nonlocal made
        made += 1
        if made > files:
            stop()
        return real(*args)

    return making


def interrupt():
    raise KeyboardInterrupt


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def said(report) -> list[str]:
    """A build's warnings and errors, but for those about its cache (a clean build has none)."""
    return [str(d) for d in report.diagnostics if d.kind != "cache" or d.severity is Severity.ERROR]


def test_incremental_build_equals_clean_build(tmp_path, capsys):
    chosen = int(os.environ.get("PODIUM_HARNESS_SEED") or random.SystemRandom().getrandbits(32))
    examples = int(os.environ.get("PODIUM_HARNESS_EXAMPLES", "25"))
    with capsys.disabled():
        print(f"\ndifferential harness: seed {chosen} (replay: PODIUM_HARNESS_SEED={chosen})")
    phases = [p for p in Phase if p is not Phase.shrink or os.environ.get("PODIUM_HARNESS_SHRINK") != "0"]
    factory = seed(chosen)(lambda: Differential(tmp_path))
    run_state_machine_as_test(factory, settings=settings(
        max_examples=examples, stateful_step_count=10, deadline=None, database=None, print_blob=True,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
