"""The build: read, parse, link, render, index, write. Nothing is written until every
source has been read and checked.

    sources ──parse──▶ RawTranscript ──link──▶ Site ──render/export/index──▶ {path: bytes}
            ──write──▶ output/ (beside, then swapped in)
"""

from __future__ import annotations

import gc
import os
import time
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from generator import processes
from generator.cache import BuildCache, digest
from generator.config import Config
from generator.errors import ContentError, Diagnostic, PodiumError, Severity, warning
from generator.export import export_pages
from generator.floor import askers, asks, officials
from generator.identity import introductions
from generator.inputs import site_inputs
from generator.link import LinkMemo, link
from generator.model import Briefing, Site, forget_turns, words_of
from generator.parse import decode_source, parse_transcript
from generator.parse.records import RawTranscript, forget_unpacked, marks_of
from generator.progress import Progress
from generator.registry import find_registry, site_registry
from generator.render import NO_BASE_URL, PACKAGE, Page, Renderer, content_key, pages, template_dir
from generator.search import SearchBriefing, SearchCache, SearchDocument
from generator.search.build import SHARDS, index_files
from generator.search.documents import INTERPRETED_KEY, OUTLET_KEY, REPORTER_KEY
from generator.search.files import SearchFile
from generator.search.refs import assign_slots
from generator.write import LookAhead, Placed, SiteWriter, check_output

SOURCE_SUFFIXES = {".txt", ".md", ".markdown"}


@dataclass
class Report:
    """What a build or check found: the summary the CLI prints."""

    files: int = 0
    turns: int = 0
    speakers: int = 0
    pages: int = 0
    written: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader of the log should know, no problem
    progress: Progress = field(default_factory=Progress)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def build(content: Path, output: Path, config: Config, *, strict: bool = False, workers: int = 1,
          cache: Path | None = None, progress: Progress | None = None,
          search_cache: SearchCache | None = None) -> Report:
    """Build the site in `content` into `output`, or raise ContentError and write nothing."""
    progress = progress or Progress(stream=None)
    check_output(output, content)
    with _lock(output), _no_gc(), LookAhead(output, BuildCache(cache)) as look:
        site, report = check(content, strict=strict, workers=workers, cache=cache, progress=progress)
        processes.give_back_free_memory()  # before the render workers are forked
        store = BuildCache(cache)
        with SiteWriter(output, store, look) as writer:
            if search_cache is None:
                search_cache = store.load("search", "index") or SearchCache()
            if store.folder is not None:
                search_cache.term_lists = TermLists(store)
            keys = render_site(site, config, writer, workers=workers, progress=progress,
                               search_cache=search_cache)
            with progress.stage("write") as advance:
                writer.commit(keys)
                advance.stage.detail = (f"{len(writer.digests)} files, {writer.written} written, "
                                        "the rest kept from the previous builds")
            if search_cache.changed or search_cache.site != writer.build_id:
                search_cache.site = writer.build_id  # the site whose shards hold its entries
                store.store("search", "index", search_cache)
    report.written = writer.written
    if not config.absolute:
        report.notes.append(NO_BASE_URL)
    report.pages = sum(1 for p in writer.digests if p.endswith(".html"))
    return report


def check(content: Path, *, strict: bool = False, workers: int = 1, cache: Path | None = None,
          progress: Progress | None = None) -> tuple[Site, Report]:
    """Read, parse and link everything; raise ContentError if it cannot be built."""
    progress = progress or Progress(stream=None)
    if not content.is_dir():
        raise PodiumError(f"content folder {content} does not exist")
    store = BuildCache(cache)
    paths = source_files(content)
    with progress.stage("parse", len(paths)) as advance:
        transcripts, diagnostics = read_transcripts(paths, workers, store, advance)
        store.prune("parsed", keep=set(store.digests.values()))
        advance.stage.detail = f"{len(paths)} files, {store.hits['parsed']} from cache"
    diagnostics += [warning(str(cache), 1, "cache", w) for w in store.warnings]
    with progress.stage("link") as advance:
        registry_path = find_registry(content)
        registry, problems = site_registry(registry_path, _display(registry_path))
        memo = store.load("link", "memo") or LinkMemo()
        site, notes = link(transcripts, registry, memo, root=os.path.join(_display(content), ""))
        if memo.changed:
            memo.changed = False
            store.store("link", "memo", memo)
        for briefing in site.briefings:
            briefing.digest = store.digests.get(briefing.source, "")
        advance.stage.detail = f"{len(site.briefings)} briefings, {len(site.speakers)} speakers"
    report = Report(
        files=len(paths),
        turns=sum(b.size for b in site.briefings),
        speakers=len(site.speakers),
        diagnostics=sorted(diagnostics + problems + notes),
        progress=progress,
    )
    if report.errors or (strict and report.warnings):
        raise ContentError(report.diagnostics)
    return site, report


def source_files(content: Path) -> list[Path]:
    """Transcripts under `content`, skipping hidden and `_`-prefixed names, in path order."""
    found = []
    for folder, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix.lower() in SOURCE_SUFFIXES and not name.startswith((".", "_")):
                found.append(path)
    return found


PARALLEL_PARSE = 64  # sources to parse before it pays to share them between workers
PARALLEL_SHARDS = 1536  # shards to make before it pays to fork workers (an added briefing's
# thousand are made faster in the main process, which holds their entries already)
RACY_NS = 2_000_000_000  # a file changed this recently may change again within its mtime's tick


def read_transcripts(paths: list[Path], workers: int = 1,
                     cache: BuildCache | None = None, advance=lambda n=1: None,
                     ) -> tuple[list[RawTranscript], list[Diagnostic]]:
    """Parse every source, from the cache where its bytes are unchanged. Each transcript's
    `digest` names its bytes, for the page keys of incremental builds. A source whose
    modification time, size and inode are those it had when last read is not read again
    (as git does; only a file that had settled for two seconds then is trusted so)."""
    cache = cache or BuildCache(None)
    results: dict[int, tuple[RawTranscript | None, list[Diagnostic]]] = {}
    missing = []
    seen = cache.load("sources", "stat") or {}
    stats: dict[str, tuple[tuple[int, int, int], str]] = {}
    settled = time.time_ns() - RACY_NS
    for i, path in enumerate(paths):
        display = _display(path)
        info = path.stat()
        signature = (info.st_mtime_ns, info.st_size, info.st_ino)
        known = seen.get(display)
        if known is not None and known[0] == signature:  # unchanged since it was read: no need to read it
            cached = cache.load("parsed", known[1])
            if cached is not None:
                cache.digests[display] = known[1]
                stats[display] = known
                results[i] = cached
                advance()
                continue
        data = path.read_bytes()
        key = cache.digests[display] = cache.key(display, data)
        if info.st_mtime_ns < settled:
            stats[display] = (signature, key)
        cached = cache.load("parsed", key)
        if cached is not None:
            results[i] = cached
            advance()
        else:  # past a few, workers read them again: holding them all here costs their size in memory
            missing.append((i, (display, data if len(missing) < PARALLEL_PARSE else path, cache.folder)))
    if stats != seen:
        cache.store("sources", "stat", stats)
    jobs = [job for _, job in missing]
    parsed_all = _map(_parse_one, jobs, workers if len(jobs) >= PARALLEL_PARSE else 1)
    for (i, (display, _, _)), (key, parsed) in zip(missing, parsed_all):
        # the key of the bytes the worker read: the file may have changed since it was hashed
        # here (then `stats` holds the signature seen first, and the next build reads it again)
        cache.digests[display] = key
        results[i] = parsed
        advance()
    transcripts = [raw for raw, _ in (results[i] for i in range(len(paths))) if raw is not None]
    diagnostics = [d for i in range(len(paths)) for d in results[i][1]]
    return transcripts, diagnostics


def _parse_one(job: tuple[str, bytes | Path, Path | None]) -> tuple[str, tuple[RawTranscript | None, list[Diagnostic]]]:
    """Parse one source (its bytes, or read from its path) and store it in the cache
    under the key of those bytes (in the worker, which has them at hand). What is stored
    is what is returned, with that key: the outline, its words left in the cache file."""
    display, source, cache_folder = job
    store = BuildCache(cache_folder)
    data = source if isinstance(source, bytes) else source.read_bytes()
    key = store.key(display, data)
    text, problems = decode_source(display, data)
    if text is None:
        parsed = None, problems
    else:
        raw = parse_transcript(display, text)
        for turn in raw.turns:  # kept beside the paragraphs in the cache
            turn.words = words_of(turn.paragraphs)
        raw.word_counts = array("i", [len(turn.words.split()) for turn in raw.turns])
        raw.mentions = introductions(raw.cast().labels, raw.turns)
        raw.turn_marks = turn_marks(raw.turns)
        marks = [[kind for kind, _, _ in raw.turn_marks.get(i, ())] for i in range(len(raw.turns))]
        raw.asked = askers([turn.words for turn in raw.turns], [asks(turn.label) for turn in raw.turns],
                           ["crosstalk" in kinds for kinds in marks], officials(raw.cast().labels))
        raw.label_stats = label_stats(raw, marks)
        parsed = raw, problems + raw.diagnostics
    store.store("parsed", key, parsed)
    return key, store.load("parsed", key) or parsed


def turn_marks(turns) -> dict[int, tuple[tuple[str, str, str | None], ...]]:
    """Each turn's marks (RawTranscript.turn_marks)."""
    return {i: marks for i, turn in enumerate(turns) if (marks := marks_of(turn.paragraphs))}


def label_stats(raw: RawTranscript, marks: list[list[str]]) -> list[tuple[int, dict[str, int]]]:
    """Words and stage directions by label (RawTranscript.label_stats), from each turn's
    mark kinds."""
    index = {label: i for i, label in enumerate(raw.cast().labels)}
    stats: list[tuple[int, dict[str, int]]] = [(0, {}) for _ in index]
    for turn, kinds, count in zip(raw.turns, marks, raw.word_counts):
        if turn.label is None:
            continue
        words, counts = stats[index[turn.label]]
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
        stats[index[turn.label]] = (words + count, counts)
    return stats


def _map(function, jobs: list, workers: int):
    """`map` over processes when it pays; results in job order whatever the worker count,
    yielded as they come so that callers can write them out and let them go."""
    if workers <= 1 or len(jobs) < 2:
        yield from map(function, jobs)
        return
    with processes.pool(workers) as executor:
        yield from executor.map(function, jobs, chunksize=max(1, len(jobs) // (workers * 8)))


@dataclass
class TermLists:
    """Each indexed briefing's terms, in the build cache by the briefing's key (see
    search.build.TermLists)."""

    store: BuildCache

    def get(self, key: str) -> str | None:
        return self.store.load("terms", key)

    def put(self, key: str, terms: str) -> None:
        self.store.store("terms", key, terms)

    def drop(self, keys) -> None:
        for key in keys:
            self.store.remove("terms", key)

    def prune(self, keep: set[str]) -> None:
        self.store.prune("terms", keep)


def _display(path: Path | None) -> str:
    """How a source is named in messages: the path as the user would type it."""
    if path is None:
        return ""
    text, here = str(path), os.path.join(os.getcwd(), "")
    return text.removeprefix(here)


_pages: list[Page] = []
_renderer: Renderer | None = None
_writer: SiteWriter | None = None


_search_files: list[SearchFile] = []


def _place_search_files(bounds: tuple[int, int]) -> list[Placed]:
    start, end = bounds
    return [_writer.place(f.path, f.make()) for f in _search_files[start:end]]


def _render_range(bounds: tuple[int, int]) -> list[Placed]:
    """Render pages and put them in the new site, in the worker: the main process only
    records what was placed, so writing files is shared out too."""
    start, end = bounds
    placed = []
    for page in _pages[start:end]:
        placed.append(_writer.place(page.path, _renderer.render(page)))
        _forget()  # a worker renders thousands: keep only the turns and words of the page at hand
    return placed


def render_site(site: Site, config: Config, writer: SiteWriter, workers: int = 1,
                progress: Progress | None = None, search_cache: SearchCache | None = None,
                ) -> dict[str, str]:
    """Hand every output file to `writer` as it is made: pages, JSON export, search index,
    static assets. A page whose key equals the previous build's is kept (`writer.reuse`)
    instead of rendered again. Returns the keys the pages were made from, for the next build.

    `search_cache` is the index's state from the previous build (kept in the build
    cache, or in memory by `podium serve`): with it, a newest briefing is indexed on its
    own, which is the common case of an archive that grows."""
    global _pages, _renderer, _writer
    progress = progress or Progress(stream=None)
    keys: dict[str, str] = {}
    inputs = site_inputs(config, template_dir())
    search = [search_briefing(b) for b in site.briefings]
    slots = assign_slots(search)
    all_pages = pages(site, config) + export_pages(site)
    with progress.stage("render", len(all_pages)) as advance:
        spelled: dict[int, str] = {}  # id -> repr of a key several pages share (the listing's)
        for page in all_pages:
            text = spelled.get(id(page.key))
            if text is None:
                text = spelled[id(page.key)] = repr(page.key)
            keys[page.path] = digest(f"{inputs.key} {page.path} {text}".encode())
        for page in all_pages:  # only now: while `spelled` is in use, every key keeps its id
            page.key = ()  # digested: the render workers forked below need not share it
        todo = [all_pages[i] for i in writer.reuse([(page.path, keys[page.path]) for page in all_pages])]
        advance(len(all_pages) - len(todo))
        _pages, _renderer, _writer = todo, Renderer(config, writer.cache, inputs), writer
        step = max(1, len(todo) // (workers * 8))
        ranges = [(i, min(i + step, len(todo))) for i in range(0, len(todo), step)]
        try:
            done = 0
            for part in _map(_render_range, ranges, workers if len(todo) >= 64 else 1):
                for data in part:
                    writer.add(todo[done].path, data)
                    done += 1
                advance(len(part))
        finally:
            _pages, _renderer, _writer = [], None, None
        advance.stage.detail = f"{len(all_pages)} pages and export files, {len(todo)} made"
    with progress.stage("index") as advance:
        search_cache = search_cache if search_cache is not None else SearchCache()
        try:  # a full build's entries wait in scratch files until the shards are made
            count, made = _index_site(site, search, slots, writer, workers, search_cache, keys, advance)
        finally:
            search_cache.release()
        advance.stage.detail = (f"{sum(b.count for b in search_cache.briefings.values())} utterances, "
                                f"{len(search_cache.sizes)} terms, {count} files, {made} shards made")
    for path, data in static_files().items():
        writer.add(path, data)
    return keys


def _index_site(site: Site, search: list[SearchBriefing], slots: list[int], writer: SiteWriter, workers: int,
                search_cache: SearchCache, keys: dict[str, str], advance) -> tuple[int, int]:
    """Hand the search files to `writer`, recording their keys: a file whose key is the
    previous build's is kept, shards to make are made by workers (a full build's, or the
    thousand a big briefing touches). Returns how many files, and how many shards made."""
    global _search_files, _writer
    # the previous site's shards hold the entries the state leaves out, if it is that site
    read = writer.previous_file if search_cache.site == writer.previous.build_id else None
    count = 0

    def reuse(files: list[tuple[str, str]]) -> list[int]:  # the kept briefings' docs chunks, as they were
        nonlocal count
        keys.update(files)
        rest = writer.reuse(files)
        count += len(files) - len(rest)  # the rest are counted when yielded
        advance(len(files) - len(rest))
        return rest

    files = index_files(search, slots, partial(_documents, site), workers, search_cache, place=writer.place,
                        read=read, scratch=writer.output.parent, reuse=reuse)
    keyed: list[SearchFile] = []  # most are the previous build's: reused together, below
    pending: list[SearchFile] = []  # shards to make: in workers, when there are many
    for file in files:
        count += 1
        advance()
        if file.key:
            keyed.append(file)
            keys[file.path] = file.key
        elif file.path.startswith(SHARDS):
            pending.append(file)
        else:
            writer.add(file.path, file.make())
    for i in writer.reuse([(file.path, file.key) for file in keyed]):
        file = keyed[i]
        if file.path.startswith(SHARDS):
            pending.append(file)
        else:
            writer.add(file.path, file.make())
    _search_files, _writer = pending, writer
    try:
        ranges = [(i, min(i + 64, len(pending))) for i in range(0, len(pending), 64)]
        done = 0
        for part in _map(_place_search_files, ranges, workers if len(pending) >= PARALLEL_SHARDS else 1):
            for placed in part:
                path = pending[done].path
                writer.add(path, placed)
                keys[path] = placed.digest  # a shard's key is its digest (see search.build._regroup)
                search_cache.made(path, placed.digest)
                done += 1
    finally:
        _search_files, _writer = [], None
    return count, len(pending)


def search_briefing(briefing: Briefing) -> SearchBriefing:
    """How the index sees a briefing; its key is the briefing page's own content key."""
    return SearchBriefing(
        slug=briefing.slug, title=briefing.title, kind=briefing.kind,
        date=briefing.date.isoformat() if briefing.date else None, size=briefing.size,
        key=content_key(briefing))


def _documents(site: Site, i: int) -> list[SearchDocument]:
    """Briefing i's search documents; its words are forgotten once they are taken (the
    documents hold them): a worker indexes thousands."""
    documents = search_documents(site.briefings[i])
    _forget()
    return documents


def _forget() -> None:
    forget_turns()
    forget_unpacked()


def search_documents(briefing: Briefing) -> list[SearchDocument]:
    """One search document per utterance with words."""
    documents = []
    for exchange in briefing.exchanges:
        asker = exchange.asker
        named = asker is not None and asker.reporter is not None
        shown = (asker.reporter.name + (f", {asker.outlet.name}" if asker.outlet else "")) if named else None
        answerers = ", ".join(s.name for s in exchange.answerers) or None if named else None
        for u in exchange.utterances:
            if not u.text:
                continue
            filters = []
            if u.asker is not None and u.asker.reporter is not None:
                filters.append((REPORTER_KEY + u.asker.reporter.slug, u.asker.reporter.name))
            if u.asker is not None and u.asker.outlet is not None:
                filters.append((OUTLET_KEY + u.asker.outlet.slug, u.asker.outlet.name))
            if u.interpreted:
                filters.append((INTERPRETED_KEY, "Interpreted"))
            documents.append(SearchDocument(
                position=u.index - 1, text=u.text, speaker=u.speaker_name,
                speaker_slug=u.speaker.slug if u.speaker else None, url=u.url,
                asker=shown, answerers=answerers, filters=tuple(filters)))
    return documents


def static_files() -> dict[str, bytes]:
    """The stylesheet and scripts from templates/static, and lunr.js from npm."""
    static = template_dir() / "static"
    files = {
        f"static/{p.relative_to(static).as_posix()}": p.read_bytes()
        for p in sorted(static.rglob("*")) if p.is_file()
    }
    files["static/vendor/lunr.min.js"] = lunr_js().read_bytes()
    return files


def lunr_js() -> Path:
    """lunr.js 2.3.9: inside the wheel, or from node_modules in a checkout."""
    for candidate in (PACKAGE / "vendor" / "lunr.min.js",
                      PACKAGE.parent / "node_modules" / "lunr" / "lunr.min.js"):
        if candidate.is_file():
            return candidate
    raise PodiumError("lunr.js is missing: run `npm ci` in the Podium checkout (it pins lunr@2.3.9)")


@contextmanager
def _no_gc():
    """A build makes millions of objects that live until its end: the cyclic collector
    would rescan them again and again (a fifth of a corpus build) and, in forked
    workers, copy every page it touches. Nothing a build makes needs it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _lock(output: Path):
    """One build per output folder at a time, like git's index.lock: a lock file made
    exclusively beside the output, removed at the end; one left by a killed build (its
    process is gone) is taken over."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    lock = output.with_name(f".{output.name}.lock")
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            holder = _lock_holder(lock)
            if holder is not None:
                raise PodiumError(
                    f"another build (process {holder}) is writing {output}; "
                    f"wait for it to finish, or remove {lock} if no build is running") from None
            lock.unlink(missing_ok=True)  # stale: its build was killed
    else:
        raise PodiumError(f"cannot take the build lock {lock}")
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _lock_holder(lock: Path) -> int | None:
    """The live process holding a lock file, or None when it is gone."""
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid
