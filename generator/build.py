"""The build: read, parse, link, render, index, write. Nothing is written until every
source has been read and checked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import Config
from generator.errors import ContentError, Diagnostic, PodiumError, Severity
from generator.export import export
from generator.link import link
from generator.model import Site
from generator.parse import decode_source, parse_transcript
from generator.parse.records import RawTranscript
from generator.registry import find_registry, site_registry
from generator.render import PACKAGE, Renderer, pages, template_dir
from generator.search import SearchDocument, build_search_index
from generator.write import check_output, write_site

SOURCE_SUFFIXES = {".txt", ".md", ".markdown"}


@dataclass
class Report:
    """What a build or check found: the summary the CLI prints."""

    files: int = 0
    turns: int = 0
    speakers: int = 0
    pages: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def build(content: Path, output: Path, config: Config, *, strict: bool = False, workers: int = 1) -> Report:
    """Build the site in `content` into `output`, or raise ContentError and write nothing."""
    check_output(output, content)
    site, report = check(content, strict=strict)
    files = render_site(site, config, workers=workers)
    write_site(files, output)
    report.pages = sum(1 for p in files if p.endswith(".html"))
    return report


def check(content: Path, *, strict: bool = False) -> tuple[Site, Report]:
    """Read, parse and link everything; raise ContentError if it cannot be built."""
    if not content.is_dir():
        raise PodiumError(f"content folder {content} does not exist")
    transcripts, diagnostics = read_transcripts(content)
    registry_path = find_registry(content)
    registry, problems = site_registry(registry_path, _display(content, registry_path))
    site, notes = link(transcripts, registry)
    report = Report(
        files=len(transcripts) + sum(1 for d in diagnostics if d.kind == "encoding"),
        turns=sum(len(b.utterances) for b in site.briefings),
        speakers=len(site.speakers),
        diagnostics=sorted(diagnostics + problems + notes),
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


def read_transcripts(content: Path) -> tuple[list[RawTranscript], list[Diagnostic]]:
    transcripts, diagnostics = [], []
    for path in source_files(content):
        display = _display(content, path)
        text, problems = decode_source(display, path.read_bytes())
        diagnostics += problems
        if text is not None:
            raw = parse_transcript(display, text)
            diagnostics += raw.diagnostics
            transcripts.append(raw)
    return transcripts, diagnostics


def _display(content: Path, path: Path | None) -> str:
    """How a source is named in messages: the path as the user would type it."""
    if path is None:
        return ""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def render_site(site: Site, config: Config, workers: int = 1) -> dict[str, bytes]:
    renderer = Renderer(config)
    files = {page.path: renderer.render(page) for page in pages(site)}
    files.update(export(site))
    files.update(build_search_index(search_documents(site), workers=workers))
    files.update(static_files())
    return files


def search_documents(site: Site) -> list[SearchDocument]:
    """One search document per utterance with words, oldest briefing first."""
    docs: list[SearchDocument] = []
    for briefing in reversed(site.briefings):
        for utterance in briefing.utterances:
            if not utterance.text:
                continue
            docs.append(SearchDocument(
                ref=len(docs), text=utterance.text, speaker=utterance.speaker_name,
                speaker_slug=utterance.speaker.slug if utterance.speaker else None,
                title=briefing.title, kind=briefing.kind,
                date=briefing.date.isoformat() if briefing.date else None, url=utterance.url,
            ))
    return docs


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
