"""`podium serve`: a preview on 127.0.0.1 that rebuilds on change and tells pages to reload."""

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.2)
    pytest.fail("serve did not get there in time")


@pytest.fixture
def server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--content", str(content),
         "--output", str(tmp_path / "output"), "--cache", str(tmp_path / "cache")],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "Serving" not in line:
            line = process.stderr.readline()
            assert line, "serve exited before serving"
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)[0]
        yield content, url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serves_the_site_with_live_reload_and_rebuilds_on_change(server):
    content, url = server
    home = fetch(url)
    assert "Remarks at a Press Availability" in home
    assert 'src="static/js/livereload.js"' in home
    generation = fetch(url + "__podium/generation")
    new = content / "2016-01-05-new.md"

    def rebuilt() -> bool:
        # Written again on every poll: the watcher may start a moment after serving.
        new.write_text("---\ntitle: A Newly Added Briefing\ndate: 2016-01-05\n---\n\n"
                       "MR KIRBY: Good afternoon, everybody.\n", encoding="utf-8")
        time.sleep(0.5)
        return fetch(url + "__podium/generation") != generation

    wait_for(rebuilt)
    assert "A Newly Added Briefing" in fetch(url)
