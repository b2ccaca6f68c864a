"""The `podium` command. Thin: the library raises domain errors; only this module turns
them into messages and exit codes (0 built, 1 content errors, 2 usage errors)."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections import Counter
from pathlib import Path

import click

from generator import __version__
from generator.build import Report, build, check
from generator.config import ConfigError, find_config, load_config
from generator.errors import ContentError, PodiumError
from generator.progress import Progress

CONTENT = click.option(
    "--content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"),
    show_default=True, help="Folder of transcripts (.txt, .md) and speakers.yaml.",
)
STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any).")
QUIET = click.option("--quiet", "-q", is_flag=True, help="Print only errors and warnings.")
WORKERS = click.option("--workers", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
                       show_default="all cores", help="Processes for parsing, rendering and indexing.")
CACHE = click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
                     default=Path(".podium-cache"), show_default=True,
                     help="Build cache folder (safe to delete).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podium")
def cli() -> None:
    """Podium turns transcripts of briefings, press conferences and interviews into a
    static website: a page per briefing and per speaker, links, and full-text search
    that runs in the reader's browser.

    \b
    Typical use:
      podium check                 validate content/ and list every problem
      podium build                 build content/ into output/
      podium serve                 preview on http://127.0.0.1:8000, rebuilding on change
    """


@cli.command("build")
@CONTENT
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Where the site is written (replaced whole, atomically).")
@click.option("--base-url", help="Where the site is served, e.g. /archive/ or https://example.org/archive/.")
@click.option("--title", help="Site title (overrides podium.yaml).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Site configuration file (default: podium.yaml in or beside the content folder).")
@WORKERS
@CACHE
@STRICT
@QUIET
def build_command(content, output, base_url, title, config_path, workers, cache, strict, quiet) -> None:
    """Build the site from CONTENT into OUTPUT.

    Nothing is written unless the whole build succeeds; the previous site stays in
    place otherwise. Unchanged transcripts are read from the cache and unchanged
    output files are kept, so rebuilding after adding one transcript is quick."""
    started = time.perf_counter()
    config = _config(content, config_path).with_overrides(base_url=base_url, title=title)
    progress = Progress(stream=None if quiet else sys.stderr)
    report = _run(lambda: build(content, output, config, strict=strict, workers=workers,
                                cache=cache, progress=progress), strict,
                  f"; {output} was left as it was")
    _summary(report, quiet)
    if not quiet:
        click.echo(f"Built {report.pages} pages into {output} in {time.perf_counter() - started:.1f} s "
                   f"({report.written} files written, the rest unchanged).", err=True)


@cli.command("check")
@CONTENT
@WORKERS
@CACHE
@STRICT
@QUIET
def check_command(content, workers, cache, strict, quiet) -> None:
    """Validate CONTENT without writing the site: every problem as path:line: message."""
    progress = Progress(stream=None if quiet else sys.stderr)
    report = _run(lambda: check(content, strict=strict, workers=workers, cache=cache,
                                progress=progress)[1], strict)
    _summary(report, quiet)


@cli.command("serve")
@CONTENT
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Where the preview site is built.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@WORKERS
@CACHE
def serve_command(content, output, port, workers, cache) -> None:
    """Build, serve on http://127.0.0.1:PORT and rebuild when content or templates change.

    Rebuilds are incremental and open pages reload themselves. Only this machine can
    reach the preview."""
    from generator.serve import serve

    config = _config(content, None)
    try:
        serve(content, output, config, port, cache=cache, workers=workers)
    except PodiumError as exc:
        raise click.ClickException(str(exc)) from exc


def _config(content: Path, path: Path | None):
    try:
        return load_config(path or find_config(content))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _run(action, strict: bool, consequence: str = "") -> Report:
    try:
        return action()
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        failing = len(exc.diagnostics) if strict else sum(
            1 for d in exc.diagnostics if d.severity.value == "error")
        click.echo(f"Failed: {failing} problem(s) must be fixed{consequence}.", err=True)
        sys.exit(1)
    except PodiumError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


def _summary(report: Report, quiet: bool) -> None:
    for diagnostic in report.diagnostics:
        click.echo(str(diagnostic), err=True)
    if quiet:
        return
    for note in report.notes:
        click.echo(f"Note: {note}.", err=True)
    kinds = Counter(d.kind for d in report.warnings)
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    click.echo(
        f"{report.files} files, {report.turns} turns, {report.speakers} speakers; "
        f"{len(report.warnings)} warnings{f' ({by_kind})' if by_kind else ''}, "
        f"{len(report.errors)} errors.",
        err=True,
    )


def main() -> None:
    """The `podium` command. A build leaves millions of objects behind, and freeing them
    one by one at exit takes most of a second; everything is written and closed by then,
    so the process ends at once after flushing its output. For the same reason the cyclic
    collector stays off for the whole command (see build._no_gc): switched back on after
    a build, its first pass would walk every object the build made, for nothing."""
    gc.disable()
    try:
        cli(prog_name="podium")
        code = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
