"""The build cache (`.podium-cache/`, safe to delete): parsed transcripts keyed by the
hash of their bytes, and the previous build's file digests so unchanged output files are
linked instead of written again.

Every entry is keyed by Podium's version and a format number; an entry that cannot be
read, or was written by another version, is ignored with a warning, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections import Counter
from pathlib import Path

from generator import __version__

FORMAT = 2  # bump when what is stored changes shape


def _code_digest() -> str:
    """Podium's own code: a parser changed between two builds (even with the same version
    number, as in development) must not be answered from the cache."""
    package = Path(__file__).resolve().parent
    sources = sorted(package.rglob("*.py")) + sorted((package / "data").glob("*"))
    return hashlib.blake2b(b"".join(p.read_bytes() for p in sources), digest_size=8).hexdigest()


STAMP = f"podium {__version__} cache {FORMAT} code {_code_digest()}"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class BuildCache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.warnings: list[str] = []
        self.hits: Counter[str] = Counter()  # entries found, by kind
        self.digests: dict[str, str] = {}  # source path -> key of its bytes

    def key(self, path: str, data: bytes) -> str:
        return digest(STAMP.encode() + b"\0" + path.encode() + b"\0" + data)

    def load(self, kind: str, key: str):
        """The stored value, or None when absent, stale or unreadable."""
        if self.folder is None:
            return None
        file = self.folder / kind / key[:2] / key
        try:
            with open(file, "rb") as handle:
                stamp, value = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 (a torn or foreign file: any error means rebuild)
            self.warnings.append(f"ignored unreadable cache entry {file}: {exc.__class__.__name__}")
            return None
        if stamp != STAMP:
            return None
        self.hits[kind] += 1
        return value

    def prune(self, kind: str, keep: set[str]) -> None:
        """Delete the entries of `kind` that this build did not use, so the cache does not
        grow with every edit."""
        if self.folder is None or not (self.folder / kind).is_dir():
            return
        for entry in (self.folder / kind).glob("*/*"):
            if entry.name not in keep:
                entry.unlink(missing_ok=True)

    def store(self, kind: str, key: str, value) -> None:
        if self.folder is None:
            return
        folder = self.folder / kind / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(folder / key, pickle.dumps((STAMP, value), protocol=pickle.HIGHEST_PROTOCOL))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
