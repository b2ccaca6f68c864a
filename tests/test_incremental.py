"""Incremental builds: after adding, editing or deleting transcripts, the output equals a
clean full build byte for byte, and only what changed is rendered again."""

import os
import re
import shutil
from pathlib import Path

import pytest
from linkcheck import broken_links

from generator.build import build
from generator.cache import BuildCache
from generator.config import Config
from generator.errors import PodiumError

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = ["wh_text_q_nbsp.txt", "wh_text_pentagon_header.txt", "md_correction_strike.md",
           "md_teleconference_moderator.md", "sd_press_availability.txt"]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def full_build(content: Path, tmp: Path) -> dict[str, bytes]:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(content, clean, Config(), cache=None)
    return tree(clean)


@pytest.fixture
def site(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for name in SOURCES[:-1]:
        shutil.copy(FIXTURES / name, content / name)
    output, cache = tmp_path / "output", tmp_path / "cache"
    build(content, output, Config(), cache=cache)
    return content, output, cache, tmp_path


def rebuild(site):
    content, output, cache, _ = site
    return build(content, output, Config(), cache=cache)


def assert_same_as_full_build(site):
    content, output, _, tmp = site
    assert tree(output) == full_build(content, tmp)
    assert broken_links(output) == []


def edit_a_turn(content: Path) -> None:
    """Change a few words of a turn of one transcript."""
    path = content / "md_correction_strike.md"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("whatever Monday you want", "whichever Tuesday you like")
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def test_adding_a_transcript(site):
    content = site[0]
    shutil.copy(FIXTURES / SOURCES[-1], content / SOURCES[-1])
    report = rebuild(site)
    assert_same_as_full_build(site)
    detail = next(s for s in report.progress.stages if s.name == "render").detail
    total, made = map(int, re.fullmatch(r"(\d+) pages and export files, (\d+) made", detail).groups())
    # the new briefing, its export, its neighbours, its speakers, listings, feed, sitemap
    assert 0 < made < total / 2


def test_editing_a_transcript(site):
    content = site[0]
    edit_a_turn(content)
    rebuild(site)
    assert_same_as_full_build(site)
    assert any(b"whichever Tuesday you like" in data for data in tree(site[1]).values())


def test_deleting_a_transcript(site):
    content, output = site[0], site[1]
    before = set(tree(output))
    (content / "wh_text_pentagon_header.txt").unlink()
    rebuild(site)
    assert_same_as_full_build(site)
    gone = before - set(tree(output))
    assert any(p.startswith("briefings/") for p in gone)
    assert any(p.startswith("api/briefings/") for p in gone)


def test_nothing_changed_writes_nothing(site):
    report = rebuild(site)
    assert report.written == 0
    assert_same_as_full_build(site)


def test_a_corrupt_cache_is_ignored_with_a_warning(site):
    _content, _output, cache, _ = site
    for entry in cache.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not a pickle")
    report = rebuild(site)
    assert any(d.kind == "cache" for d in report.warnings)
    assert_same_as_full_build(site)


def test_an_output_changed_by_hand_is_rebuilt_whole(site):
    _content, output, _cache, _ = site
    (output / "index.html").write_text("edited by hand")
    rebuild(site)
    assert_same_as_full_build(site)


def test_a_second_build_of_the_same_output_is_refused_while_one_runs(site):
    tmp = site[3]
    lock = tmp / ".output.lock"
    lock.write_text(str(os.getpid()))  # a live process holds it
    with pytest.raises(PodiumError, match=r"another build \(process \d+\) is writing"):
        rebuild(site)
    assert lock.exists()
    lock.write_text("999999999")  # a build that was killed: its process is gone
    rebuild(site)
    assert not lock.exists()
    assert_same_as_full_build(site)


def test_the_cache_keeps_only_what_the_last_build_used(site):
    content, _, cache, _ = site
    path = content / "md_correction_strike.md"
    for n in range(3):
        path.write_text(path.read_text() + f"\nMR. KIRBY: Edit number {n}.\n", encoding="utf-8")
        rebuild(site)
    assert len(list((cache / "parsed").glob("*/*"))) == len(list(content.iterdir()))


def test_settled_sources_are_not_read_again_but_an_edit_is_seen(site, monkeypatch):
    content = site[0]
    old = os.stat(content).st_mtime - 60
    for path in content.iterdir():
        os.utime(path, (old, old))  # settled: changed a minute ago
    rebuild(site)  # records what each file looked like when read
    reads = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: reads.append(p.name) or real(p))
    rebuild(site)
    assert not [name for name in reads if name in SOURCES]
    edited = content / SOURCES[0]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("the ", "thE ", 1), encoding="utf-8")  # same size, new mtime
    rebuild(site)
    assert [name for name in reads if name in SOURCES] == [SOURCES[0]]
    assert_same_as_full_build(site)


def _search_state(cache: Path) -> Path:
    (state,) = (cache / "search").glob("*/*")
    return state


def test_a_search_state_from_an_earlier_site_is_not_trusted(site):
    """The index's state is kept apart from the site; if it is an earlier build's (its
    save was lost), the entries it leaves out are not read from shards that moved on:
    a briefing the state lacks would be put in twice."""
    content, _, cache, _ = site
    earlier = _search_state(cache).read_bytes()
    text = (content / "md_correction_strike.md").read_text(encoding="utf-8")  # no term the index lacks
    again = text.replace("date: '2023-01-11'", "date: '2023-01-12'").replace("Briefing by", "Briefing Again by")
    (content / "again.md").write_text(again, encoding="utf-8")
    rebuild(site)
    _search_state(cache).write_bytes(earlier)
    rebuild(site)
    assert_same_as_full_build(site)


def test_deleting_after_the_term_lists_are_lost_builds_the_index_anew(site):
    content, _, cache, _ = site
    shutil.rmtree(cache / "terms")
    (content / "wh_text_pentagon_header.txt").unlink()
    rebuild(site)
    assert_same_as_full_build(site)


def test_the_term_lists_kept_are_those_of_the_briefings_indexed(site):
    content, _, cache, _ = site
    assert len(list((cache / "terms").glob("*/*"))) == len(SOURCES) - 1
    edit_a_turn(content)
    (content / "wh_text_pentagon_header.txt").unlink()
    rebuild(site)
    assert len(list((cache / "terms").glob("*/*"))) == len(SOURCES) - 2


def test_the_live_site_is_checked_by_a_child_while_the_build_reads(site, monkeypatch):
    """The stat of every live file happens in the look-ahead child, not in the build's
    own process; a file changed by hand is still found."""
    import generator.write

    checked = []
    real = generator.write._sizes_match
    monkeypatch.setattr(generator.write, "_sizes_match", lambda *a: checked.append(a) or real(*a))
    monkeypatch.setattr(generator.write.threading, "active_count", lambda: 1)  # other tests leave threads
    rebuild(site)
    assert checked == []  # the child made its own calls, in its own copy of `checked`
    (site[1] / "index.html").write_text("edited by hand")
    rebuild(site)
    assert len(checked) == 1  # the child found the site changed: the build looked again itself
    assert_same_as_full_build(site)


def test_an_unchanged_index_makes_no_shard_keys_and_no_small_files(site, monkeypatch):
    import generator.search.build as search_build

    calls = []
    for name in ("_make_small_files", "pack"):
        real = getattr(search_build, name)
        monkeypatch.setattr(search_build, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    rebuild(site)
    assert calls == []
    edit_a_turn(site[0])
    rebuild(site)
    assert sorted(calls) == ["_make_small_files", "pack"]
    assert_same_as_full_build(site)


def test_a_process_with_other_threads_forks_no_look_ahead(site):
    import threading

    import generator.write

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with generator.write.LookAhead(site[1], BuildCache(site[2])) as look:
            assert look.answer() == ""  # no child: the writer looks itself
        rebuild(site)
        assert_same_as_full_build(site)
    finally:
        stop.set()
        other.join()


def test_templates_are_compiled_once_and_again_when_they_change(site, monkeypatch):
    import jinja2

    import generator.build
    import generator.render

    templates = site[3] / "templates"
    shutil.copytree(generator.render.template_dir(), templates)
    for module in (generator.render, generator.build):
        monkeypatch.setattr(module, "template_dir", lambda: templates)
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or real(self, source, name, *a, **k))
    edit_a_turn(site[0])
    rebuild(site)  # the briefing page's templates, from the copied folder: compiled and kept
    assert "briefing.html" in compiled
    compiled.clear()
    path = site[0] / "md_correction_strike.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("whichever Tuesday", "whichever Wednesday"), encoding="utf-8")
    rebuild(site)
    assert any("Wednesday" in page.read_text(encoding="utf-8") for page in site[1].glob("briefings/*/index.html"))
    assert compiled == []  # the same templates: from the build cache
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("Built with Podium", "Made with Podium"),
                    encoding="utf-8")
    rebuild(site)
    assert "base.html" in compiled
    page = (site[1] / "index.html").read_text(encoding="utf-8")
    assert "Made with Podium" in page and "Built with Podium" not in page
