"""The writer: nothing outside output/, never a half-written site, never someone's folder."""

import pytest

from generator.errors import PodiumError
from generator.write import MARKER, check_output, safe_relative, write_site


@pytest.mark.parametrize("path", ["../x.html", "/etc/passwd", "a/../../b", "", "a\\..\\b", "a\0b"])
def test_paths_outside_output_are_refused(path):
    with pytest.raises(PodiumError, match="refusing to write outside the output folder"):
        safe_relative(path)


def test_write_replaces_the_site_whole(tmp_path):
    output = tmp_path / "output"
    write_site({"index.html": b"one", "old/page.html": b"gone soon"}, output)
    write_site({"index.html": b"two"}, output)
    assert (output / "index.html").read_bytes() == b"two"
    assert not (output / "old").exists()
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
