"""The build cache: entries whose blobs stay in the file until read, and entries that
cannot be trusted are ignored."""

import pickle
import shutil
from pathlib import Path

import pytest

from generator.build import _parse_one, check
from generator.cache import MAGIC, Blob, BuildCache
from generator.errors import PodiumError
from generator.export import briefing_record
from generator.model import Appearances, forget_turns, words_of
from generator.parse import parse_transcript
from generator.parse.records import LazyTurns, cast_of, forget_unpacked

FIXTURES = Path(__file__).parent / "fixtures"


def test_blobs_are_stored_after_the_pickle_and_read_only_when_asked(tmp_path):
    cache = BuildCache(tmp_path)
    cache.store("kind", "k1", {"a": Blob(b"first" * 1000), "b": [Blob(b""), Blob(b"third")]})
    raw = (tmp_path / "kind" / "k1" / "k1").read_bytes()
    assert raw.startswith(MAGIC) and raw.endswith(b"first" * 1000 + b"third")
    loaded = cache.load("kind", "k1")
    assert loaded["a"]._data is None  # its place in the file, not its bytes
    assert len(pickle.dumps(loaded["a"])) < 200  # and so to a worker
    assert loaded["a"].read() == b"first" * 1000
    assert [b.read() for b in loaded["b"]] == [b"", b"third"]
    again = pickle.loads(pickle.dumps(loaded))
    assert again["b"][1].read() == b"third"
    cache.store("kind", "k2", loaded)  # a loaded blob stored again carries its bytes along
    assert cache.load("kind", "k2")["a"].read() == b"first" * 1000


@pytest.mark.parametrize("damage", [
    lambda data: data[:-3],  # cut short: its last blob is torn
    lambda data: data[:len(MAGIC) + 4],  # cut inside the header
    lambda data: b"garbage" + data,
])
def test_a_damaged_entry_is_ignored_with_a_warning(tmp_path, damage):
    cache = BuildCache(tmp_path)
    cache.store("kind", "key", ["outline", Blob(b"words" * 100)])
    path = tmp_path / "kind" / "ke" / "key"
    path.write_bytes(damage(path.read_bytes()))
    assert cache.load("kind", "key") is None
    assert len(cache.warnings) == 1 and str(path) in cache.warnings[0]


def test_an_entry_from_before_blobs_is_stale_without_a_warning(tmp_path):
    cache = BuildCache(tmp_path)
    (tmp_path / "kind" / "ke").mkdir(parents=True)
    (tmp_path / "kind" / "ke" / "key").write_bytes(pickle.dumps(("podium old", 1), protocol=5))
    assert cache.load("kind", "key") is None and not cache.warnings


def test_a_blob_whose_file_went_away_says_so(tmp_path):
    cache = BuildCache(tmp_path)
    cache.store("kind", "key", Blob(b"words"))
    blob = cache.load("kind", "key")
    (tmp_path / "kind" / "ke" / "key").unlink()
    with pytest.raises(PodiumError, match="build cache changed during the build"):
        blob.read()


def test_a_parsed_transcript_comes_back_as_its_outline_with_words_in_the_file(tmp_path):
    name = "md_correction_strike.md"
    data = (FIXTURES / name).read_bytes()
    fresh = parse_transcript(name, data.decode())
    key, (raw, _) = _parse_one((name, FIXTURES / name, tmp_path))
    assert key == BuildCache(tmp_path).key(name, data) and BuildCache(tmp_path).load("parsed", key)
    source = raw.turns[0].paragraphs._source
    assert source.blob._data is None and source.words_blob._data is None
    assert len(pickle.dumps(raw)) < len(data)  # what crosses to the main process
    assert [list(t.paragraphs) for t in raw.turns] == [t.paragraphs for t in fresh.turns]
    assert [t.paragraphs.words for t in raw.turns] == [words_of(t.paragraphs) for t in fresh.turns]
    assert source._turns is not None and source._words is not None
    forget_unpacked()
    assert source._turns is None and source._words is None and not source._paragraphs
    assert list(raw.turns[-1].paragraphs) == fresh.turns[-1].paragraphs  # unpacked again from the file


def test_a_cached_transcript_gives_its_cast_without_making_its_turns(tmp_path):
    name = "wh_text_q_nbsp.txt"
    fresh = parse_transcript(name, (FIXTURES / name).read_text(encoding="utf-8"))
    _, (raw, _) = _parse_one((name, FIXTURES / name, tmp_path))
    assert isinstance(raw.turns, LazyTurns) and len(raw.turns) == len(fresh.turns)
    assert raw.cast() == cast_of(fresh.turns) and raw.turns._list is None
    assert raw.cast().labels and sum(raw.cast().counts) <= len(fresh.turns)
    assert [(t.line, t.label) for t in raw.turns] == [(t.line, t.label) for t in fresh.turns]
    forget_unpacked()
    assert raw.turns._list is None


def test_linking_cached_transcripts_makes_no_turns_until_a_page_reads_them(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for name in ("wh_text_q_nbsp.txt", "md_teleconference_moderator.md", "sd_press_availability.txt"):
        shutil.copy(FIXTURES / name, content / name)
    uncached, _ = check(content)
    check(content, cache=tmp_path / "cache")
    site, _ = check(content, cache=tmp_path / "cache")
    assert all(b._turns is None and b.raw.turns._list is None for b in site.briefings)
    assert [s.turn_count for s in site.speakers] == [len(s.utterances) for s in uncached.speakers]
    assert all(b._turns is None for b in site.briefings)  # counting turns made none
    for briefing, expected in zip(site.briefings, uncached.briefings, strict=True):
        assert briefing_record(briefing) == briefing_record(expected)
    for speaker, expected in zip(site.speakers, uncached.speakers, strict=True):
        assert [(b.slug, [u.index for u in turns]) for b, turns in Appearances(speaker.appearances)] == \
            [(b.slug, [u.index for u in turns]) for b, turns in Appearances(expected.appearances)]
    forget_turns()
    assert all(b._turns is None for b in site.briefings)


def test_storing_an_entry_leaves_nothing_for_the_cyclic_collector(tmp_path):
    """A build runs with the cyclic collector off: a pickler kept alive by a cycle would
    keep every transcript's bytes with it (a parse worker grew to a gigabyte)."""
    import gc

    cache = BuildCache(tmp_path)
    value = ["outline", Blob(b"words" * 1000)]
    cache.store("kind", "warm", value)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for n in range(50):
            cache.store("kind", f"key{n}", value)
        assert len(gc.get_objects()) - before < 50
    finally:
        if was_enabled:
            gc.enable()
