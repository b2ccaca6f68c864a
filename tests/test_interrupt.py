"""An interrupted build (Ctrl-C, kill) leaves the previous site intact and the next
build correct."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_incremental import tree

import generator.write
from generator.build import build
from generator.config import Config

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "content" / "000_dc28f8c96af5d01d.txt"


def many_briefings(content: Path, count: int) -> None:
    content.mkdir(exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for n in range(count):
        title = f"Remarks at Press Availability Number {n}"
        (content / f"{n:04}.txt").write_text(text.replace(text.split("\n", 1)[0], title, 1),
                                               encoding="utf-8")


def test_ctrl_c_while_writing_leaves_the_previous_site(tmp_path, monkeypatch):
    content, output = tmp_path / "content", tmp_path / "output"
    many_briefings(content, 3)
    build(content, output, Config(), cache=tmp_path / "cache")
    before = tree(output)
    many_briefings(content, 6)
    written = 0
    real_write = generator.write._write_all

    def interrupted(fd, data):
        nonlocal written
        written += 1
        if written == 10:
            raise KeyboardInterrupt
        return real_write(fd, data)

    monkeypatch.setattr(generator.write, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(content, output, Config(), cache=tmp_path / "cache")
    monkeypatch.undo()
    assert tree(output) == before
    assert not (tmp_path / ".output.lock").exists()
    build(content, output, Config(), cache=tmp_path / "cache")
    shutil.rmtree(tmp_path / "cache")
    build(content, tmp_path / "clean", Config())
    assert tree(output) == tree(tmp_path / "clean")


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0])
def test_a_killed_build_leaves_a_whole_site_and_the_next_build_is_correct(tmp_path, delay):
    content, output = tmp_path / "content", tmp_path / "output"
    many_briefings(content, 40)
    build(content, output, Config())
    before = tree(output)
    many_briefings(content, 120)
    command = [sys.executable, "-m", "generator", "build", "--quiet", "--content", str(content),
               "--output", str(output), "--cache", str(tmp_path / "cache")]
    process = subprocess.Popen(command, cwd=tmp_path)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after_kill = tree(output) if output.exists() else tree(tmp_path / ".output.old")
    assert after_kill == before or len(after_kill) > len(before)  # old site, or the whole new one
    if len(after_kill) > len(before):
        assert "briefings/2015-12-18-remarks-at-press-availability-number-119/index.html" in after_kill
    subprocess.run(command, cwd=tmp_path, check=True)
    build(content, tmp_path / "clean", Config())
    assert tree(output) == tree(tmp_path / "clean")


def test_a_killed_build_leaves_no_worker_processes(tmp_path):
    content = tmp_path / "content"
    many_briefings(content, 150)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--quiet", "--workers", "2", "--content",
         str(content), "--output", str(tmp_path / "output"), "--cache", str(tmp_path / "cache")],
        cwd=tmp_path)

    def workers() -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == process.pid:
                found.append(int(stat.parent.name))
        return found

    deadline = time.monotonic() + 60
    while not workers() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    children = workers()
    process.send_signal(signal.SIGKILL)
    process.wait()
    if not children:
        pytest.skip("the build finished before it started workers")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and
                                              "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                                              for pid in children):
        time.sleep(0.1)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert alive == []
