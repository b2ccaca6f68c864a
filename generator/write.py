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


def write_site(files: dict[str, bytes | Unchanged], output: Path, cache: BuildCache | None = None,
               keys: dict[str, str] | None = None, advance=lambda n=1: None) -> int:
    """Write every file into a fresh folder beside `output`, then swap it in. A file
    whose bytes equal the previous build's is hard-linked from it instead of written.
    Returns how many files were written anew."""
    paths = {safe_relative(p): data for p, data in files.items()}
    output = output.resolve()
    _recover(output)
    cache = cache or BuildCache(None)
    previous = previous_state(output, cache)
    digests = {str(rel): data.digest if isinstance(data, Unchanged) else digest(data)
               for rel, data in paths.items()}
    build_id = digest("\n".join(f"{p} {d}" for p, d in sorted(digests.items())).encode())
    staging = output.with_name(f".{output.name}.new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    made: set[PurePosixPath] = set()
    written = 0
    for rel in sorted(paths):
        if rel.parent not in made:
            (staging / rel.parent).mkdir(parents=True, exist_ok=True)
            made.add(rel.parent)
        data = paths[rel]
        if previous.digests.get(str(rel)) == digests[str(rel)]:
            os.link(output / rel, staging / rel)
        elif isinstance(data, Unchanged):
            raise PodiumError(f"internal: {rel} was not rendered and the previous build lacks it")
        else:
            (staging / rel).write_bytes(data)
            written += 1
        advance()
    (staging / MARKER).write_text(f"Built by Podium; replaced whole on every build.\nbuild {build_id}\n")
    _swap(staging, output)
    sizes = {str(rel): data.size if isinstance(data, Unchanged) else len(data) for rel, data in paths.items()}
    cache.store("site", _state_key(output), SiteState(build_id, digests, dict(keys or {}), sizes))
    return written


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
