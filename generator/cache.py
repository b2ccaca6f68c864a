"""The build cache (`.podium-cache/`, safe to delete): parsed transcripts keyed by the
hash of their bytes, and the previous build's file digests so unchanged output files are
linked instead of written again.

Every entry is keyed by Podium's version and a format number; an entry that cannot be
read, or was written by another version, is ignored with a warning, never trusted.

An entry is a pickle followed by the bytes of the `Blob`s in it: loading reads the
pickle only, and each blob is read from the file when it is asked for. A build of a big
archive keeps every transcript's outline in memory, and none of their words.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import struct
import tempfile
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.errors import PodiumError

FORMAT = 3  # bump when what is stored changes shape
MAGIC = b"podium-cache\0"
_HEADER = struct.Struct("<Q")  # the pickle's length; the blobs follow it


def _code_digest() -> str:
    """Podium's own code: a parser changed between two builds (even with the same version
    number, as in development) must not be answered from the cache."""
    package = Path(__file__).resolve().parent
    sources = sorted(package.rglob("*.py")) + sorted((package / "data").glob("*"))
    return hashlib.blake2b(b"".join(p.read_bytes() for p in sources), digest_size=8).hexdigest()


STAMP = f"podium {__version__} cache {FORMAT} code {_code_digest()}"


def digest(data: bytes | Sequence[bytes | memoryview]) -> str:
    """What names bytes (or the bytes of pieces joined) in the cache and the site's state:
    SHA-256 (OpenSSL's, which uses the processor's SHA instructions where it has them:
    twice BLAKE2b's speed here, on the 40 MB of shards an added transcript rewrites),
    cut to 128 bits."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()[:32]
    hashed = hashlib.sha256()
    for piece in data:
        hashed.update(piece)
    return hashed.hexdigest()[:32]


class BuildCache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.warnings: list[str] = []
        self.hits: Counter[str] = Counter()  # entries found, by kind
        self.digests: dict[str, str] = {}  # source path -> key of its bytes

    def key(self, path: str, data: bytes) -> str:
        return digest(STAMP.encode() + b"\0" + path.encode() + b"\0" + data)

    def load(self, kind: str, key: str):
        """The stored value, or None when absent, stale or unreadable. Its blobs stay in
        the file until read."""
        if self.folder is None:
            return None
        file = self.folder / kind / key[:2] / key
        try:
            with open(file, "rb") as handle:
                magic = handle.read(len(MAGIC))
                if magic != MAGIC:
                    if magic.startswith(pickle.PROTO):
                        return None  # a plain pickle, as Podium wrote before blobs: stale
                    raise ValueError("not a cache entry")
                (length,) = _HEADER.unpack(handle.read(_HEADER.size))
                start = len(MAGIC) + _HEADER.size + length
                size = os.fstat(handle.fileno()).st_size
                _loading.entry = (str(file), start, size)
                try:
                    stamp, value = pickle.load(handle)
                finally:
                    _loading.entry = None
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

    def remove(self, kind: str, key: str) -> None:
        if self.folder is not None:
            (self.folder / kind / key[:2] / key).unlink(missing_ok=True)

    def store(self, kind: str, key: str, value) -> None:
        if self.folder is None:
            return
        folder = self.folder / kind / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(folder / key, _dumps((STAMP, value)))


class Blob:
    """Bytes that may stay in a cache file until read: a value holds them as a Blob, and
    the build cache stores them after the pickle instead of inside it. A blob loaded
    from the cache is only its place in the file; pickled to a worker, it stays so."""

    __slots__ = ("_data", "_place")

    def __init__(self, data: bytes | None = None, place: tuple[str, int, int] | None = None) -> None:
        self._data, self._place = data, place

    def read(self) -> bytes:
        if self._data is not None:
            return self._data
        path, offset, size = self._place
        try:
            with open(path, "rb") as handle:
                handle.seek(offset)
                data = handle.read(size)
        except OSError as exc:
            raise PodiumError(f"the build cache changed during the build ({path}: {exc.strerror}); "
                              "build again") from None
        if len(data) != size:
            raise PodiumError(f"the build cache changed during the build ({path} is cut short); build again")
        return data

    def __reduce__(self):
        return Blob, (self._data, self._place)


_loading = threading.local()  # .entry: (path, where its blobs start, its size) while it is unpickled


def _stored_blob(offset: int, length: int) -> Blob:
    """What a stored Blob is pickled as: its place in the entry being loaded. (A context
    rather than an Unpickler's find_class, which would be called in Python for every
    class of every entry.)"""
    entry = getattr(_loading, "entry", None)
    if entry is None:
        raise pickle.UnpicklingError("a stored blob read without its cache entry")
    path, start, size = entry
    if start + offset + length > size:
        raise ValueError("a blob lies past the end of the entry")
    return Blob(place=(path, start + offset, length))


def _dumps(value) -> bytes:
    """MAGIC, the pickle's length, the pickle, then the bytes of every Blob in it. Blobs
    are found by the pickler's dispatch table, which the C pickler consults only for
    objects of other than the built-in types (a `persistent_id` would be called for every
    object: a tenth of a second on the search index's state). The table holds a closure,
    not a method of the pickler: a cycle through the pickler would keep every blob
    alive in a build, whose cyclic collector is off (see build._no_gc)."""
    blobs: list[bytes] = []
    size = 0

    def reduce_blob(blob: Blob):
        nonlocal size
        data = blob.read()
        blobs.append(data)
        size += len(data)
        return _stored_blob, (size - len(data), len(data))

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {Blob: reduce_blob}
    pickler.dump(value)
    header = buffer.getvalue()
    return b"".join([MAGIC, _HEADER.pack(len(header)), header, *blobs])


def _atomic_write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
