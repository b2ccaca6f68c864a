"""Shared fixtures: scratch sites in tmp_path, the corpus when PODIUM_CORPUS is set."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "content" / "000_dc28f8c96af5d01d.txt"


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """An empty content folder in a temporary project."""
    content = tmp_path / "content"
    content.mkdir()
    return content


@pytest.fixture
def demo_content(tmp_path: Path) -> Path:
    """A copy of the demo site's content folder."""
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    return target


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = os.environ.get("PODIUM_CORPUS")
    if not path:
        pytest.skip("PODIUM_CORPUS is not set; corpus tests run in CI (.ci/run sets it)")
    if not Path(path).is_dir():
        pytest.fail(f"PODIUM_CORPUS={path} is not a folder")
    return Path(path)
