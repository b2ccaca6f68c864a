"""The writer: nothing outside output/, never a half-written site, never someone's folder."""

import errno
import os
import sys
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given

from generator import write
from generator.cache import BuildCache, digest
from generator.errors import PodiumError
from generator.write import (
    MARKER,
    SiteWriter,
    check_output,
    previous_state,
    safe_relative,
    write_site,
)


@pytest.mark.parametrize("path", ["../x.html", "/etc/passwd", "a/../../b", "", "a\\..\\b", "a\0b"])
def test_paths_outside_output_are_refused(path):
    with pytest.raises(PodiumError, match="refusing to write outside the output folder"):
        safe_relative(path)


def test_write_replaces_the_site_whole(tmp_path):
    output, cache = tmp_path / "site" / "output", BuildCache(tmp_path / "cache")
    write_site({"index.html": b"one", "old/page.html": b"gone soon"}, output, cache)
    write_site({"index.html": b"two"}, output, cache)
    assert (output / "index.html").read_bytes() == b"two"
    assert not (output / "old").exists()
    # Beside the output, only the spare: the previous site, to be made into the next.
    assert sorted(p.name for p in output.parent.iterdir()) == [".output.spare", "output"]


def test_without_a_cache_no_spare_is_kept(tmp_path):
    output = tmp_path / "output"
    write_site({"index.html": b"one"}, output)
    write_site({"index.html": b"two"}, output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_bad_path_leaves_the_previous_site(tmp_path):
    output = tmp_path / "output"
    write_site({"index.html": b"good"}, output)
    with pytest.raises(PodiumError):
        write_site({"index.html": b"bad", "../escape.html": b"x"}, output)
    assert (output / "index.html").read_bytes() == b"good"
    assert not (tmp_path / "escape.html").exists()


def test_a_site_killed_between_renames_is_recovered(tmp_path):
    output = tmp_path / "output"
    write_site({"index.html": b"good"}, output)
    output.rename(tmp_path / ".output.old")  # as if killed after the first rename
    write_site({"index.html": b"next"}, output)
    assert (output / "index.html").read_bytes() == b"next"


def test_a_site_killed_after_the_new_one_was_renamed_in_is_tidied(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    write_site({"index.html": b"old"}, output, cache)
    (tmp_path / ".output.old").mkdir()  # as if killed before the old site became the spare
    (tmp_path / ".output.old" / "index.html").write_bytes(b"older")
    write_site({"index.html": b"next"}, output, cache)
    assert (output / "index.html").read_bytes() == b"next"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "cache", "output"]


def test_refuses_a_folder_podium_did_not_build(tmp_path):
    content, output = tmp_path / "content", tmp_path / "mine"
    content.mkdir()
    output.mkdir()
    (output / "thesis.tex").write_text("precious")
    with pytest.raises(PodiumError, match="was not built by Podium"):
        check_output(output, content)
    (output / "thesis.tex").unlink()
    (output / MARKER).write_text("")
    check_output(output, content)


def test_refuses_an_output_that_holds_the_content(tmp_path):
    with pytest.raises(PodiumError, match="contains the content folder"):
        check_output(tmp_path, tmp_path / "content")


# ---- incremental builds: the spare folder -------------------------------------------


def site_files(count: int = 40, edition: str = "first") -> dict[str, bytes]:
    """A small site in nested folders: a home page, and per briefing a page and its export."""
    files = {"index.html": f"home, {edition} edition".encode()}
    for n in range(count):
        files[f"briefings/b{n:02}/index.html"] = f"briefing {n}".encode()
        files[f"api/briefings/b{n:02}.json"] = f'{{"n": {n}}}'.encode()
    return files


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` but the marker, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MARKER}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def needed_folders(files: dict[str, bytes]) -> set[str]:
    return {"/".join(path.split("/")[:n]) for path in files for n in range(1, path.count("/") + 1)}


def generations() -> list[dict[str, bytes]]:
    """Successive sites: one page changed, pages and whole folders removed, a file where
    a folder was and a folder where a file was, and back to the first."""
    first = site_files()
    second = first | {"briefings/b07/index.html": b"briefing 7, corrected"}
    third = {p: d for p, d in second.items() if not p.startswith(("briefings/b03/", "api/briefings/b04"))}
    fourth = {p: d for p, d in third.items() if not p.startswith("briefings/b05/")}
    fourth |= {"briefings/b05": b"a file where a folder was", "index.html/part.html": b"and the reverse"}
    del fourth["index.html"]
    fifth = dict(first)
    sixth = first | {"index.html": b"home, second edition", "speakers/kirby/index.html": b"new folder"}
    return [first, second, third, fourth, fifth, sixth, second]


def test_incremental_builds_make_exactly_each_site(tmp_path):
    output, cache, spare = tmp_path / "output", BuildCache(tmp_path / "cache"), tmp_path / ".output.spare"
    sites = generations()
    for number, files in enumerate(sites):
        write_site(files, output, cache)
        assert tree(output) == files
        assert folders(output) == needed_folders(files)
        if number:  # the spare holds the site before, ready to be made into the next
            assert tree(spare) == sites[number - 1]
            assert folders(spare) == needed_folders(sites[number - 1])


def test_a_build_writes_only_the_files_that_changed(tmp_path, monkeypatch):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    files = site_files(250)  # 501 files
    for edition in ("first", "second", "third"):  # from the third build on, the spare is reused
        write_site(files | {"index.html": edition.encode()}, output, cache)
    calls = {"link": 0, "write": 0, "unlink": 0, "overwrite": 0}

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call

    real_open = os.open

    def opened(path, flags, *args, **kwargs):  # a file made in one of the site's folders
        if flags & os.O_CREAT and any(Path(path).is_relative_to(tmp_path / folder)
                                      for folder in ("output", ".output.spare")):
            calls["write"] += 1
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "link", counted("link", os.link))
    monkeypatch.setattr(os, "unlink", counted("unlink", os.unlink))
    monkeypatch.setattr(os, "pwritev", counted("overwrite", os.pwritev))
    monkeypatch.setattr(os, "open", opened)
    spare_copy = tmp_path / ".output.spare" / "index.html"
    inode = spare_copy.stat().st_ino
    written = write_site(files | {"index.html": b"fourth"}, output, cache)
    assert written == 1
    # the spare's own index.html (the second edition) is written over; its marker goes
    assert calls == {"link": 0, "write": 0, "unlink": 1, "overwrite": 1}
    assert (output / "index.html").stat().st_ino == inode
    assert tree(output) == files | {"index.html": b"fourth"}


def test_the_spare_s_own_copy_of_an_unchanged_file_is_written_over_not_linked(tmp_path, monkeypatch):
    """A file changed in the last build is the spare's own; this build leaves it as it
    is: its bytes are copied into the spare's inode, so no inode is freed and made."""
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    files = site_files()
    write_site(files, output, cache)
    write_site(files | {"index.html": b"home, second edition"}, output, cache)  # the spare owns index.html
    spare_copy = tmp_path / ".output.spare" / "index.html"
    inode = spare_copy.stat().st_ino
    assert spare_copy.stat().st_nlink == 1
    unlinked = []
    real = os.unlink
    monkeypatch.setattr(os, "unlink", lambda path, *a, **k: unlinked.append(str(path)) or real(path, *a, **k))
    write_site(files | {"index.html": b"home, second edition", "briefings/b01/index.html": b"1 again"},
               output, cache)
    assert [p for p in unlinked if p.endswith("index.html") and "b01" not in p] == []
    assert (output / "index.html").stat().st_ino == inode
    assert (output / "index.html").read_bytes() == b"home, second edition"
    assert tree(output) == files | {"index.html": b"home, second edition", "briefings/b01/index.html": b"1 again"}
    # the other site keeps its own copy, untouched
    assert (tmp_path / ".output.spare" / "index.html").read_bytes() == b"home, second edition"
    assert not os.path.samefile(tmp_path / ".output.spare" / "index.html", output / "index.html")


def test_a_file_shared_with_the_live_site_is_never_written_in_place(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    files = site_files()
    write_site(files, output, cache)
    write_site(files | {"briefings/b01/index.html": b"one, corrected"}, output, cache)
    spare_copy = tmp_path / ".output.spare" / "index.html"
    assert os.path.samefile(spare_copy, output / "index.html")  # one inode, two sites
    with SiteWriter(output, cache) as writer:
        writer.add("index.html", b"home, second edition")
        assert (output / "index.html").read_bytes() == b"home, first edition"
        for path in sorted(files.keys() - {"index.html"}):
            writer.add(path, files[path])
        writer.commit()
    assert (output / "index.html").read_bytes() == b"home, second edition"
    assert spare_copy.read_bytes() == b"home, first edition"


def test_an_error_while_writing_leaves_the_live_site_and_the_next_build_is_right(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    sites = generations()
    for files in sites[:3]:
        write_site(files, output, cache)
    with pytest.raises(KeyboardInterrupt), SiteWriter(output, cache) as writer:
        writer.add("index.html", b"half a build")
        writer.add("briefings/b03/index.html", b"briefing 3 again")
        raise KeyboardInterrupt
    assert tree(output) == sites[2]
    write_site(sites[3], output, cache)
    assert tree(output) == sites[3]


def test_a_build_killed_while_changing_the_spare_leaves_it_unknown(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    sites = generations()
    for files in sites[:3]:
        write_site(files, output, cache)
    writer = SiteWriter(output, cache).__enter__()  # killed: never committed nor exited
    writer.add("index.html", b"half a build")
    writer.add("briefings/b03/index.html", b"briefing 3 again")
    assert tree(output) == sites[2]
    assert not (tmp_path / ".output.spare" / MARKER).exists()
    for files in [sites[0], *sites[3:]]:  # the first wants the spare's index.html as it was
        write_site(files, output, cache)
        assert tree(output) == files


def test_an_output_edited_by_hand_is_made_again(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    files = site_files()
    for edition in ("first", "second", "third"):
        write_site(files | {"api/index.json": edition.encode()}, output, cache)
    (output / "briefings/b02/index.html").write_bytes(b"edited by hand")  # the spare's too: one inode
    write_site(files, output, cache)
    assert tree(output) == files


def test_without_renameat2_the_folders_are_swapped_by_renames(tmp_path, monkeypatch):
    def unsupported(first, second):
        raise OSError(errno.EINVAL, "not on this file system")

    monkeypatch.setattr(write, "_exchange", unsupported)
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    sites = generations()
    for number, files in enumerate(sites):
        write_site(files, output, cache)
        assert tree(output) == files
        if number:
            assert tree(tmp_path / ".output.spare") == sites[number - 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "cache", "output"]


def test_the_marker_is_not_a_page(tmp_path):
    with pytest.raises(PodiumError, match="is Podium's own file"):
        write_site({MARKER: b"x"}, tmp_path / "output")


def test_the_spare_beside_the_output_is_no_objection(tmp_path):
    content, output, cache = tmp_path / "content", tmp_path / "output", BuildCache(tmp_path / "cache")
    content.mkdir()
    for files in generations()[:2]:
        write_site(files, output, cache)
    assert (tmp_path / ".output.spare").is_dir()
    check_output(output, content)


def test_each_build_remembers_its_files_and_keys(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    files = site_files()
    keys = {path: f"made from {path}" for path in files}
    changes = [{"briefings/b01/index.html": b"1 corrected"}, {"briefings/b02/index.html": b"2 corrected"},
               {f"briefings/b{n:02}/index.html": b"all corrected" for n in range(40)},  # stored whole
               {"index.html": b"home again"}]
    for number, changed in enumerate(changes):
        files |= changed
        keys |= {path: f"made from {path}, edit {number}" for path in changed}
        keys.pop(f"api/briefings/b{number:02}.json")  # made without a key from now on
        write_site(files, output, cache, keys)
        state = previous_state(output, cache)
        assert state.digests == {path: digest(data) for path, data in files.items()}
        assert state.keys == keys
        assert state.sizes == {path: len(data) for path, data in files.items()}


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
def test_two_folders_are_exchanged_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    write._exchange(tmp_path / "a", tmp_path / "b")
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
    assert list((tmp_path / "a").iterdir()) == []


def test_files_whose_keys_are_unchanged_are_reused_together(tmp_path):
    output, cache = tmp_path / "output", BuildCache(tmp_path / "cache")
    files = {"a.html": b"a", "b.html": b"b", "c.html": b"c"}
    write_site(files, output, cache, {path: f"key {path}" for path in files})
    write_site(files, output, cache, {path: f"key {path}" for path in files})  # now the spare exists
    with SiteWriter(output, cache) as writer:
        rest = writer.reuse([("a.html", "key a.html"), ("b.html", "another key"), ("new.html", "key new.html"),
                             ("c.html", "key c.html"), ("a.html", "key a.html")])
        assert rest == [1, 2, 4]  # changed, new, and a path given twice
        with pytest.raises(PodiumError, match="two pages would be written to a.html"):
            writer.add("a.html", b"a")
        writer.add("b.html", b"b changed")
        writer.add("new.html", b"new")
        writer.commit({"a.html": "key a.html", "b.html": "another key", "c.html": "key c.html",
                       "new.html": "key new.html"})
    assert {p.name: p.read_bytes() for p in output.iterdir() if p.name != MARKER} == {
        "a.html": b"a", "b.html": b"b changed", "c.html": b"c", "new.html": b"new"}


@pytest.mark.parametrize("pwritev", [True, False])
def test_pieces_are_written_as_their_bytes_joined(tmp_path, monkeypatch, pwritev):
    """A shard comes to the writer in pieces (views of the entries it was made from):
    more of them than one system call takes, some empty; and over a longer file."""
    import generator.write

    monkeypatch.setattr(generator.write, "_HAS_PWRITEV", pwritev)
    data = b"".join(b"%d," % n for n in range(5000))
    view = memoryview(data)
    pieces = [view[i:i + 7] for i in range(0, len(data), 7)] + [b""] + [b"end"]
    assert len(pieces) > generator.write._IOV_MAX
    target = tmp_path / "shard.json"
    target.write_bytes(b"x" * (len(data) + 100))
    assert generator.write._overwrite(str(target), pieces)
    assert target.read_bytes() == data + b"end"
    generator.write._make_file(str(tmp_path / "new.json"), False, pieces)
    assert (tmp_path / "new.json").read_bytes() == data + b"end"


@given(st.text(alphabet="ab.-_/\\\0 9Z", max_size=12))
def test_a_plain_path_is_its_own_normal_form(path):
    """SiteWriter's fast check (write._PLAIN_PATH) passes only paths that safe_relative
    accepts and leaves as they are."""
    if write._PLAIN_PATH.fullmatch(path):
        assert str(write.safe_relative(path)) == path
