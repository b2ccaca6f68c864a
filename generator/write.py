"""The one writer: every output file goes through here.

The new site is written beside the old one and swapped in only when complete, so a
failed or interrupted build never leaves a half-written site. Paths are checked so that
nothing can be written outside the output folder.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Self

from generator.cache import BuildCache, digest
from generator.errors import PodiumError

MARKER = ".podium-site"  # marks a folder Podium built, so it is safe to replace


def safe_relative(path: str) -> PurePosixPath:
    """A path that stays inside the output folder, or an error."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path or "\0" in path:
        raise PodiumError(f"refusing to write outside the output folder: {path!r}")
    return pure


def check_output(output: Path, content: Path) -> None:
    """Refuse an output folder that holds the sources or someone else's files."""
    output, content = output.resolve(), content.resolve()
    if output == content or output in content.parents:
        raise PodiumError(f"output folder {output} contains the content folder; choose another")
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())):
        raise PodiumError(
            f"output folder {output} exists and was not built by Podium; "
            "remove it or choose another --output"
        )


@dataclass(frozen=True)
class Unchanged:
    """A file the previous build wrote with these bytes: linked, not rendered again."""

    digest: str
    size: int


@dataclass
class SiteState:
    """What the previous build wrote: each file's digest and the key it was made from."""

    build_id: str = ""
    digests: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def unchanged(self, path: str, key: str) -> Unchanged | None:
        if path in self.digests and self.keys.get(path) == key:
            return Unchanged(self.digests[path], self.sizes[path])
        return None


def previous_state(output: Path, cache: BuildCache) -> SiteState:
    """The previous build's state, if the folder on disk is still that build."""
    state = cache.load("site", _state_key(output))
    if not isinstance(state, SiteState):
        return SiteState()
    output = output.resolve()
    try:
        marker = (output / MARKER).read_text()
    except OSError:
        return SiteState()
    if f"build {state.build_id}" not in marker or not _sizes_match(output, state.sizes):
        return SiteState()
    return state


def _sizes_match(output: Path, sizes: dict[str, int]) -> bool:
    """A cheap look for files changed or removed by hand since the previous build."""
    try:
        return all(os.stat(output / path).st_size == size for path, size in sizes.items())
    except OSError:
        return False


def _state_key(output: Path) -> str:
    return digest(str(output.resolve()).encode())


class SiteWriter:
    """Writes files into a fresh folder beside `output` as they come, and swaps it in
    on `commit`; until then the previous site is untouched. A file whose bytes equal the
    previous build's is hard-linked from it instead of written again.

        with SiteWriter(output, cache) as writer:
            writer.add("index.html", data)
            writer.commit(keys)
    """

    def __init__(self, output: Path, cache: BuildCache | None = None):
        self.output = output.resolve()
        self.cache = cache or BuildCache(None)
        _recover(self.output)
        self.previous = previous_state(self.output, self.cache)
        self.staging = self.output.with_name(f".{self.output.name}.new")
        self.digests: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.written = 0
        self._folders: set[PurePosixPath] = set()

    def __enter__(self) -> Self:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, kind, error, trace) -> None:
        if self.staging.exists():  # not committed: an error or an interrupt
            shutil.rmtree(self.staging, ignore_errors=True)

    def add(self, path: str, data: bytes | Unchanged) -> None:
        rel = safe_relative(path)
        key = str(rel)
        if key in self.digests:
            raise PodiumError(f"two pages would be written to {key}")
        if rel.parent not in self._folders:
            (self.staging / rel.parent).mkdir(parents=True, exist_ok=True)
            self._folders.add(rel.parent)
        unchanged = isinstance(data, Unchanged)
        self.digests[key] = data.digest if unchanged else digest(data)
        self.sizes[key] = data.size if unchanged else len(data)
        if self.previous.digests.get(key) == self.digests[key]:
            os.link(self.output / rel, self.staging / rel)
        elif unchanged:
            raise PodiumError(f"internal: {key} was not rendered and the previous build lacks it")
        else:
            (self.staging / rel).write_bytes(data)
            self.written += 1

    def commit(self, keys: dict[str, str] | None = None) -> None:
        build_id = digest("\n".join(f"{p} {d}" for p, d in sorted(self.digests.items())).encode())
        marker = f"Built by Podium; replaced whole on every build.\nbuild {build_id}\n"
        (self.staging / MARKER).write_text(marker)
        _swap(self.staging, self.output)
        state = SiteState(build_id, self.digests, dict(keys or {}), self.sizes)
        self.cache.store("site", _state_key(self.output), state)


def write_site(files: dict[str, bytes | Unchanged], output: Path, cache: BuildCache | None = None,
               keys: dict[str, str] | None = None) -> int:
    """Write a whole site at once (see SiteWriter); returns how many files were written anew."""
    with SiteWriter(output, cache) as writer:
        for path in sorted(files):
            writer.add(path, files[path])
        writer.commit(keys)
    return writer.written


def _swap(staging: Path, output: Path) -> None:
    old = output.with_name(f".{output.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    if old.exists():
        shutil.rmtree(old)


def _recover(output: Path) -> None:
    """A build killed between the two renames left the last good site as `.old`."""
    old = output.with_name(f".{output.name}.old")
    if not output.exists() and old.exists():
        os.rename(old, output)
