"""The one writer: every output file goes through here.

Two whole sites are kept: `output/`, the live one, and beside it the hidden spare
`.output.spare`, the generation before it. A build turns the spare into the new site in
place: a file the spare already holds with the right bytes is left alone, one the live
site holds is hard-linked from it, only the rest is written. Then the two folders are
swapped in one step and the old live site becomes the next build's spare. So a build
that changed 20 files of 35,000 touches about 20 files, and a failed or interrupted
build never leaves a half-written site: `output/` is not modified until the swap.

- The two sites share the inodes of the files they have in common, so such a file is
  never written in place: it is unlinked first and made anew. A file that is the
  spare's own copy (its inode has one name) is written over in place, which is much
  cheaper than making a file; with the live site's bytes too, where it could be
  linked, so that once a file has changed the two sites keep a copy each and the
  builds that change it again make no inode.
- The build cache records the live site and the spare's differences from it, and each
  folder's marker names its build. The spare's marker is removed before it is changed,
  so a build killed midway leaves a spare that the next build knows to make again from
  nothing (links from the live site), as when there is no spare at all. The spare is
  Podium's own: only the live site is looked at for files changed by hand (and the
  spare's copies of them are then not trusted either).
- The cost is disk space: the spare holds its own copy of every file that has changed
  since it was made (the rest are hard links), twice the site at worst.
- The swap is Linux's renameat2(RENAME_EXCHANGE); elsewhere it is renames through
  `.output.old`, and a build killed between them is recovered by the next.

Paths are checked so that nothing can be written outside the output folder.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import os
import platform
import re
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Self

from generator.cache import BuildCache, digest
from generator.errors import PodiumError

MARKER = ".podium-site"  # marks a folder Podium built, so it is safe to replace


# A relative path of plain names that PurePosixPath leaves as it is: what every file
# Podium makes is named like (36,000 of them in a corpus build, checked in C)
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*")


def safe_relative(path: str) -> PurePosixPath:
    """A path that stays inside the output folder, or an error."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path or "\0" in path:
        raise PodiumError(f"refusing to write outside the output folder: {path!r}")
    return pure


def check_output(output: Path, content: Path) -> None:
    """Refuse an output folder that holds the sources or someone else's files. (What is
    beside it is not looked at: the hidden spare there is Podium's.)"""
    output, content = output.resolve(), content.resolve()
    if output == content or output in content.parents:
        raise PodiumError(f"output folder {output} contains the content folder; choose another")
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())):
        raise PodiumError(
            f"output folder {output} exists and was not built by Podium; "
            "remove it or choose another --output"
        )


class Placed(NamedTuple):
    """A file already put in the new site by `SiteWriter.place` (in a worker process)."""

    digest: str
    size: int
    written: bool


_SAME = object()  # looked up in spare_changes: the spare's file is the live site's


@dataclass
class SiteState:
    """What a build wrote: each file's digest, size and the key it was made from; and the
    build before it, kept in the spare folder, as the digests where it differs."""

    build_id: str = ""
    digests: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    spare_id: str = ""  # the build in the spare folder; "" when there is none
    spare_changes: dict[str, str | None] = field(default_factory=dict)  # None: not in the spare


def previous_state(output: Path, cache: BuildCache) -> SiteState:
    """The previous build's state, if the folder on disk is still that build."""
    return _StateStore(output, cache).load()


def _marked_build(folder: Path) -> str:
    """The build named by a folder's marker, or "" without one."""
    try:
        marker = (folder / MARKER).read_text()
    except OSError:
        return ""
    return next((line[6:] for line in marker.splitlines() if line.startswith("build ")), "")


def _sizes_match(output: Path, sizes: dict[str, int]) -> bool:
    """A cheap look for files changed or removed by hand since the previous build: a stat
    of each, relative to the open folder. Threads would not shorten it (a stat is too short
    to gain from the GIL's release); `LookAhead` does it in a child process instead."""
    try:
        if os.stat not in os.supports_dir_fd:
            root = f"{output}{os.sep}"
            return all(os.stat(root + path).st_size == size for path, size in sizes.items())
        folder = os.open(output, os.O_RDONLY)
        try:
            return all(os.stat(path, dir_fd=folder).st_size == size for path, size in sizes.items())
        finally:
            os.close(folder)
    except OSError:
        return False


def _file_mark(path: str, file_digest: str | None) -> int:
    """One file's share of a build id. The id is the XOR of its files' marks: it names the
    site's content whatever the order files came in, and a build can update it by the
    files it changed alone."""
    if file_digest is None:
        return 0
    return int.from_bytes(hashlib.blake2b(f"{path} {file_digest}".encode(), digest_size=16).digest())


@dataclass
class _Changes:
    """A build's state as its differences from a whole state stored earlier (the base), so
    that a build which changed 20 files stores 20 entries rather than the whole site."""

    base: str  # the base's token
    build_id: str = ""
    files: dict[str, tuple[str, int] | None] = field(default_factory=dict)  # None: removed
    keys: dict[str, str | None] = field(default_factory=dict)
    spare_id: str = ""
    spare_changes: dict[str, str | None] = field(default_factory=dict)

    def apply(self, state: SiteState) -> None:
        for path, file in self.files.items():
            if file is None:
                state.digests.pop(path, None)
                state.sizes.pop(path, None)
            else:
                state.digests[path], state.sizes[path] = file
        for path, key in self.keys.items():
            if key is None:
                state.keys.pop(path, None)
            else:
                state.keys[path] = key
        state.build_id, state.spare_id, state.spare_changes = self.build_id, self.spare_id, self.spare_changes


class LookAhead:
    """The writer's look at the live site (its state loaded, its marker read, every file's
    size checked: 36,000 stats on the corpus, a tenth of a second), done in a forked child
    while the build parses and links; the writer then takes the child's word for the
    state it finds, if it is the same build.

        with LookAhead(output, cache) as look:
            ...
            SiteWriter(output, cache, look)

    Only on Linux, and only from a process without other threads (`podium serve` has
    them): there the writer looks itself."""

    def __init__(self, output: Path, cache: BuildCache | None) -> None:
        self._pid, self._pipe, self._answer = 0, -1, None
        if cache is None or cache.folder is None or not sys.platform.startswith("linux") \
                or threading.active_count() > 1 or not output.is_dir():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: answer with the build it found whole, then leave at once
            try:
                os.close(read)
                os.write(write, _StateStore(output, BuildCache(cache.folder)).load().build_id.encode())
            finally:
                os._exit(0)
        os.close(write)
        self._pid, self._pipe = pid, read

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        if self._pid:  # not asked: the build stopped before writing
            with suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self.answer()

    def answer(self) -> str:
        """The build id of the live site the child found unchanged since its build, or ""."""
        if self._pid:
            chunks = []
            while chunk := os.read(self._pipe, 4096):
                chunks.append(chunk)
            os.close(self._pipe)
            os.waitpid(self._pid, 0)
            self._pid, self._answer = 0, b"".join(chunks).decode()
        return self._answer or ""


class _StateStore:
    """The states of one output folder in the build cache: a base, stored whole now and
    then, and the latest build as its changes from the base (see `_Changes`)."""

    def __init__(self, output: Path, cache: BuildCache):
        self.output, self.cache = output.resolve(), cache
        self.key = _state_key(self.output)
        self.changes: _Changes | None = None  # those loaded, to add the next build's to

    def load(self, look: LookAhead | None = None) -> SiteState:
        """The previous build's state, if the folder on disk is still that build (which
        `look` may have checked already)."""
        base = self.cache.load("site", self.key)
        if not (isinstance(base, tuple) and len(base) == 2 and isinstance(base[1], SiteState)):
            return SiteState()
        token, state = base
        changes = self.cache.load("site", self.key + "-changes")
        if isinstance(changes, _Changes) and changes.base == token:
            changes.apply(state)
        else:
            changes = _Changes(token)
        if _marked_build(self.output) != state.build_id:
            return SiteState()
        if not (look and state.build_id and look.answer() == state.build_id) \
                and not _sizes_match(self.output, state.sizes):
            return SiteState()
        self.changes = changes
        return state

    def save(self, state: SiteState, previous: SiteState, files: dict[str, tuple[str, int] | None]) -> None:
        """Store `state`, which differs from `previous` by `files`: as changes from the base,
        or whole when those have grown to a quarter of the site."""
        changes = self.changes if previous.build_id else None
        if changes is not None:
            changes.files.update(files)
            changes.keys.update({p: k for p, k in state.keys.items() if previous.keys.get(p) != k})
            changes.keys.update(dict.fromkeys(previous.keys.keys() - state.keys.keys()))
            if len(changes.files) + len(changes.keys) < len(state.digests) // 4:
                changes.build_id, changes.spare_id = state.build_id, state.spare_id
                changes.spare_changes = state.spare_changes
                self.cache.store("site", self.key + "-changes", changes)
                return
        token = os.urandom(8).hex()  # not the build id: two builds may make the same files
        self.cache.store("site", self.key, (token, state))
        self.cache.store("site", self.key + "-changes", None)


def _state_key(output: Path) -> str:
    return digest(str(output.resolve()).encode())


class SiteWriter:
    """Makes the new site in the spare folder beside `output` as files come, and swaps it
    in on `commit`; until then the previous site is untouched. The work is in proportion
    to the files that changed since the spare's build (see the module docstring).

        with SiteWriter(output, cache) as writer:
            writer.add("index.html", data)
            writer.commit(keys)
    """

    def __init__(self, output: Path, cache: BuildCache | None = None, look: LookAhead | None = None):
        self.output = output.resolve()
        self.cache = cache or BuildCache(None)
        self.spare = self.output.with_name(f".{self.output.name}.spare")
        _recover(self.output)
        self._store = _StateStore(self.output, self.cache)
        self.previous = self._store.load(look)
        self.digests: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.written = 0
        # What the spare holds: the live site's files but for the spare's changes, or nothing.
        self._reuse = bool(self.previous.spare_id) and _marked_build(self.spare) == self.previous.spare_id
        self._spare_files = self.previous.digests if self._reuse else {}
        self._spare_changes = self.previous.spare_changes if self._reuse else {}
        self._spare_root, self._live_root = f"{self.spare}{os.sep}", f"{self.output}{os.sep}"
        self._changed: list[str] = []  # paths whose bytes differ from the live site's
        self._committed = False
        self.build_id = ""  # the new site's, once committed

    def __enter__(self) -> Self:
        if self._reuse:
            (self.spare / MARKER).unlink()  # unknown until commit marks it again
        else:
            if self.spare.exists():
                shutil.rmtree(self.spare)
            self.spare.mkdir(parents=True)
        return self

    def __exit__(self, kind, error, trace) -> None:
        if not self._committed:  # an error or an interrupt: a spare half made is of no use
            shutil.rmtree(self.spare, ignore_errors=True)

    def add(self, path: str, data: bytes | Placed) -> None:
        """Make `path` hold `data` in the new site (or record it, when a worker placed it).
        Files the previous build made the same go through `reuse`."""
        if isinstance(data, bytes):
            data = self.place(path, data)
        live = self.previous.digests
        if path not in live:  # those were checked when first written
            path = self._checked(path)
        if path in self.digests:
            raise PodiumError(f"two pages would be written to {path}")
        self.digests[path], self.sizes[path] = data.digest, data.size
        if live.get(path) != data.digest:
            self._changed.append(path)
        self.written += data.written

    def reuse(self, files: Sequence[tuple[str, str]]) -> list[int]:
        """`add` each (path, key) whose key is the previous build's: the same bytes, linked
        again; returns the positions of the others, to be made. In bulk, a comprehension
        at a time: a rebuild passes every file of the site through here (36,000 on the
        corpus)."""
        keys, live, digests = self.previous.keys, self.previous.digests, self.digests
        same = [key == keys.get(path) and path in live and path not in digests for path, key in files]
        kept = [path for (path, _), ok in zip(files, same) if ok]
        if len(set(kept)) != len(kept):  # a path given twice: `add` says so
            seen: set[str] = set()
            for i, (path, _) in enumerate(files):
                if same[i] and path in seen:
                    same[i] = False
                seen.add(path)
            kept = [path for (path, _), ok in zip(files, same) if ok]
        digests.update(zip(kept, map(live.__getitem__, kept)))
        self.sizes.update(zip(kept, map(self.previous.sizes.__getitem__, kept)))
        changes, spare_files = self._spare_changes, self._spare_files
        spare = [changes[path] if path in changes else spare_files.get(path) for path in kept]
        for path, in_spare in zip(kept, spare):
            if in_spare != live[path]:  # the spare lacks it, or holds other bytes there
                self._put(path, in_spare is not None, self._live_root + path)
        return [i for i, ok in enumerate(same) if not ok]

    def place(self, path: str, data: bytes | Sequence[bytes | memoryview]) -> Placed:
        """Put `data` at `path` in the new site unless it is there already; `add` the
        result. Touches only the file system and reads only what the writer knew when it
        was made, so forked workers call it for the files they make, in parallel."""
        live = self.previous.digests
        if path not in live:
            path = self._checked(path)
        file_digest = digest(data)
        size = len(data) if isinstance(data, bytes) else sum(map(len, data))
        in_spare = self._in_spare(path)
        if in_spare == file_digest:
            return Placed(file_digest, size, False)
        if live.get(path) == file_digest:
            self._put(path, in_spare is not None, self._live_root + path)
            return Placed(file_digest, size, False)
        self._put(path, in_spare is not None, data)
        return Placed(file_digest, size, True)

    def previous_file(self, path: str) -> bytes | None:
        """The bytes the previous build wrote at `path`, if it wrote that file."""
        if path not in self.previous.digests:
            return None
        try:
            return _read(self._live_root + path)
        except OSError:
            return None

    def _checked(self, path: str) -> str:
        if not _PLAIN_PATH.fullmatch(path):  # else it is its own normal form, inside the output
            path = str(safe_relative(path))
        if path == MARKER:
            raise PodiumError(f"{MARKER} is Podium's own file; a page cannot be written there")
        return path

    def _in_spare(self, path: str) -> str | None:
        in_spare = self._spare_changes.get(path, _SAME)
        return self._spare_files.get(path) if in_spare is _SAME else in_spare

    def commit(self, keys: dict[str, str] | None = None) -> None:
        """Finish the new site, swap it in, and record it (with `keys`, what each file was
        made from) for the next build."""
        previous = self.previous
        gone = previous.digests.keys() - self.digests.keys()
        self._remove_stale()
        build_id = self._build_id(gone)
        marker = f"Built by Podium; replaced whole on every build.\nbuild {build_id}\n"
        (self.spare / MARKER).write_text(marker)
        _swap(self.spare, self.output)
        self._committed = True
        self.build_id = build_id
        state = SiteState(build_id, self.digests, dict(keys or {}), self.sizes)
        keep = bool(previous.build_id)  # the old site, now in the spare's place, is known
        if keep:
            state.spare_id = previous.build_id
            state.spare_changes = {p: previous.digests.get(p) for p in (*self._changed, *gone)}
        files = {p: (self.digests[p], self.sizes[p]) for p in self._changed} | dict.fromkeys(gone)
        self._store.save(state, previous, files)
        if not keep and self.spare.exists():
            shutil.rmtree(self.spare)

    def _build_id(self, gone: set[str]) -> str:
        """The new site's id: the previous one updated by the files that changed (see
        `_file_mark`), or made from every file when the previous site is unknown."""
        previous = self.previous.digests
        if not self.previous.build_id:
            mark = functools.reduce(int.__xor__, map(_file_mark, self.digests, self.digests.values()), 0)
        else:
            mark = int(self.previous.build_id, 16)
            for path in (*self._changed, *gone):
                mark ^= _file_mark(path, previous.get(path)) ^ _file_mark(path, self.digests.get(path))
        return f"{mark:032x}"

    def _put(self, path: str, replace: bool, source: str | Data) -> None:
        """Make the spare's file at `path` anew, in place of the one it holds if `replace`:
        a hard link to the file named `source`, or these bytes (or pieces)."""
        target = self._spare_root + path
        try:
            _make_file(target, replace, source)
        except FileNotFoundError:  # the first file of a folder: folders are made when needed
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _make_file(target, False, source)
        except OSError:  # a file where a folder goes, or the reverse
            _make_way(self._spare_root, path)
            _make_file(target, False, source)

    def _remove_stale(self) -> None:
        """Delete from the spare the files the new site lacks, then the folders left empty."""
        new = self.digests.keys()
        folders = set()
        for path in (self._spare_files.keys() - new) | (self._spare_changes.keys() - new):
            if self._spare_changes.get(path, _SAME) is None:
                continue  # not in the spare
            _unlink_file(self._spare_root + path)
            parts = path.split("/")
            folders.update("/".join(parts[:n]) for n in range(1, len(parts)))
        for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
            with suppress(OSError):  # not empty: it holds files of the new site
                os.rmdir(self._spare_root + folder)


Data = bytes | Sequence[bytes | memoryview]  # a file's bytes, or pieces of them (a shard's: search.shards)


def _make_file(target: str, replace: bool, source: str | Data) -> None:
    if replace and _overwrite(target, source):
        return
    if replace:  # an inode the live site may share: unlinked, never written into
        os.unlink(target)
    if isinstance(source, str):
        os.link(source, target)
        return
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        _write_all(fd, source)
    finally:
        os.close(fd)


def _write_all(fd: int, data: Data) -> int:
    """Write `data` from the start of `fd`, the pieces of a shard in one call per IOV_MAX
    of them rather than joined first; returns how many bytes."""
    pieces = [data] if isinstance(data, bytes) else [piece for piece in data if len(piece)]
    offset = i = 0
    while i < len(pieces):
        written = os.pwritev(fd, pieces[i:i + _IOV_MAX], offset) if _HAS_PWRITEV else os.pwrite(fd, pieces[i], offset)
        offset += written
        while i < len(pieces) and written >= len(pieces[i]):
            written -= len(pieces[i])
            i += 1
        if written:  # a piece written in part: the rest of it next
            pieces[i] = memoryview(pieces[i])[written:]
    return offset


_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 16
_HAS_PWRITEV = hasattr(os, "pwritev")  # not on every system Python runs on: a piece at a time there


def _overwrite(target: str, source: str | Data) -> bool:
    """Write over the file at `target` in place, if it is the spare's own copy (its inode
    has no other name: the live site does not share it), with `source`: bytes, or the
    bytes of the file it names (copied rather than linked, so that no inode is freed to
    be made again); False if it is not the spare's own.

    On ext4, as here, making a file costs far more than writing over one once many
    inodes were freed recently: the allocator steps over each of them. Unlinking and
    making again the thousand shards an added briefing touches took most of the
    rebuild's system time."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if info.st_nlink != 1 or not stat.S_ISREG(info.st_mode):
            return False
        os.ftruncate(fd, _write_all(fd, _read(source) if isinstance(source, str) else source))
        return True
    finally:
        os.close(fd)


def _read(path: str) -> bytes:
    """A file's bytes, by the system calls alone (an update reads a thousand shards)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        chunks = []
        while chunk := os.read(fd, max(size, 1 << 16)):
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def _unlink_file(target: str) -> None:
    """Remove a file that may be gone already: a folder of the new site may stand there,
    or above it, since `_make_way`."""
    try:
        os.unlink(target)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError:
        if not os.path.isdir(target):
            raise


def _make_way(root: str, path: str) -> None:
    """Room for a file at `path` under the folder `root` (ending in a separator): its
    folders made, replacing any file in their way, and nothing left at the path itself."""
    target = root + path
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    elif os.path.lexists(target):
        os.unlink(target)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # a file where a folder goes
        parts = path.split("/")[:-1]
        for n in range(1, len(parts) + 1):
            step = root + "/".join(parts[:n])
            if os.path.islink(step) or (os.path.lexists(step) and not os.path.isdir(step)):
                os.unlink(step)
        os.makedirs(os.path.dirname(target), exist_ok=True)


def write_site(files: dict[str, bytes], output: Path, cache: BuildCache | None = None,
               keys: dict[str, str] | None = None) -> int:
    """Write a whole site at once (see SiteWriter); returns how many files were written anew."""
    with SiteWriter(output, cache) as writer:
        for path in sorted(files):
            writer.add(path, files[path])
        writer.commit(keys)
    return writer.written


def _swap(new: Path, output: Path) -> None:
    """Put the folder `new` in place of `output`; the old site, if any, ends up at `new`."""
    if not output.exists():
        os.rename(new, output)
        return
    try:
        _exchange(new, output)
        return
    except OSError:  # not Linux, or a file system that cannot: three renames
        pass
    old = output.with_name(f".{output.name}.old")
    if old.exists():
        shutil.rmtree(old)
    os.rename(output, old)
    os.rename(new, output)
    os.rename(old, new)


def _recover(output: Path) -> None:
    """A build killed between the renames of `_swap` left the last good site as `.old`
    (or the new one in place already, and the old one there)."""
    old = output.with_name(f".{output.name}.old")
    if not old.exists():
        return
    if output.exists():
        shutil.rmtree(old)
    else:
        os.rename(old, output)


AT_FDCWD = -100
RENAME_EXCHANGE = 2
RENAMEAT2_SYSCALL = {"x86_64": 316, "aarch64": 276}  # for a C library without renameat2


def _exchange(first: Path, second: Path) -> None:
    """Swap two folders in one atomic step: renameat2(RENAME_EXCHANGE). OSError where the
    system or the file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    folder, flags = ctypes.c_long(AT_FDCWD), ctypes.c_long(RENAME_EXCHANGE)  # long: right for syscall() too
    if renameat2(folder, os.fsencode(first), folder, os.fsencode(second), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


@functools.cache
def _renameat2():
    """Linux's renameat2 from the C library, or by its system call number; else None."""
    if sys.platform != "linux":
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "renameat2"):
        return libc.renameat2
    number = RENAMEAT2_SYSCALL.get(platform.machine())
    return functools.partial(libc.syscall, ctypes.c_long(number)) if number else None
