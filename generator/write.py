"""The one writer: every output file goes through here.

The new site is written beside the old one and swapped in only when complete, so a
failed or interrupted build never leaves a half-written site. Paths are checked so that
nothing can be written outside the output folder.
"""

from __future__ import annotations

import os
import shutil
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


def write_site(files: dict[str, bytes], output: Path, cache: BuildCache | None = None,
               advance=lambda n=1: None) -> int:
    """Write every file into a fresh folder beside `output`, then swap it in. A file
    whose bytes equal the previous build's is hard-linked from it instead of written.
    Returns how many files were written anew."""
    paths = {safe_relative(p): data for p, data in files.items()}
    output = output.resolve()
    _recover(output)
    cache = cache or BuildCache(None)
    state_key = digest(str(output).encode())
    digests = {str(rel): digest(data) for rel, data in paths.items()}
    build_id = digest("\n".join(f"{p} {d}" for p, d in sorted(digests.items())).encode())
    previous = _previous(output, cache.load("site", state_key))
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
        if previous.get(str(rel)) == digests[str(rel)]:
            os.link(output / rel, staging / rel)
        else:
            (staging / rel).write_bytes(paths[rel])
            written += 1
        advance()
    (staging / MARKER).write_text(f"Built by Podium; replaced whole on every build.\nbuild {build_id}\n")
    _swap(staging, output)
    cache.store("site", state_key, (build_id, digests))
    return written


def _previous(output: Path, state) -> dict[str, str]:
    """The previous build's digests, if the folder on disk is still that build."""
    if not state:
        return {}
    build_id, digests = state
    try:
        marker = (output / MARKER).read_text()
    except OSError:
        return {}
    return digests if f"build {build_id}" in marker else {}


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
