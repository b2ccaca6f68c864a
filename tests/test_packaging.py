"""A built wheel carries the templates and lunr.js, so a pip-installed Podium builds a
site with no checkout and no Node."""

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (REPO / "node_modules" / "lunr" / "lunr.min.js").is_file():
        pytest.skip("node_modules is missing: run `npm ci` first")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(REPO)], check=True)
    return next(out.glob("podium-*.whl"))


def test_wheel_carries_templates_and_lunr(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "generator/vendor/lunr.min.js" in names
    assert "generator/templates/base.html" in names
    assert "generator/templates/static/css/site.css" in names
    lunr = zipfile.ZipFile(wheel).read("generator/vendor/lunr.min.js")
    assert b"2.3.9" in lunr


def test_installed_wheel_builds_a_site_without_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True)
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    done = subprocess.run([python, "-m", "generator", "build", "--content", str(content),
                           "--output", str(tmp_path / "site"), "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "static" / "vendor" / "lunr.min.js").is_file()
    located = subprocess.run([python, "-c", "import generator; print(generator.__file__)"],
                             cwd=tmp_path, capture_output=True, text=True, check=True)
    assert str(REPO) not in located.stdout
