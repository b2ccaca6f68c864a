"""The `podium` command. Thin: the library raises domain errors; only this module turns
them into messages and exit codes (0 built, 1 content errors, 2 usage errors)."""

from __future__ import annotations

import gc
import json
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
      podium people                who is who, with the evidence for every name
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


@cli.command("people")
@CONTENT
@WORKERS
@CACHE
@click.option("--json", "as_json", is_flag=True, help="Print api/people.json's record instead of text.")
@click.option("--unresolved", is_flag=True, help="Only the labels no evidence names, with speakers.yaml entries.")
def people_command(content, workers, cache, as_json, unresolved) -> None:
    """Who is who in CONTENT, and why: each person with the labels that name them, the
    period they spoke in, their briefings and turns, and the evidence for each label
    (registry, header, title, introduction in file:line, bundled registry, variant of
    another label). Then the labels no evidence names, most turns first, each with an
    entry to paste into speakers.yaml. Writes nothing."""
    from generator.export import people_record

    site, _ = _run(lambda: check(content, workers=workers, cache=cache), False)
    record = people_record(site)
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=1))
        return
    if not unresolved:
        for person in record["people"]:
            period = " .. ".join(d for d in (person["first"], person["last"]) if d) or "undated"
            click.echo(f"{person['name']}  ({period}; {_count(person['briefings'], 'briefing')}, "
                       f"{_count(person['turns'], 'turn')})  {person['url']}")
            for label in person["labels"]:
                click.echo(f"    {label['label']}: {label['evidence']} ({_count(label['briefings'], 'briefing')})")
            if person["variants"]:
                click.echo(f"    also printed as: {'; '.join(person['variants'])}")
        click.echo("")
    click.echo(f"{len(record['unresolved'])} labels no evidence names, most turns first:")
    for entry in record["unresolved"]:
        click.echo(f"  {entry['turns']:6}  {entry['label']}  ({_count(entry['briefings'], 'briefing')}, "
                   f"first {entry['first']}): "
                   f"{entry['why']}")
        click.echo(f"          - name: FULL NAME   # shown as {entry['name']} until then\n"
                   f"            aliases: [{json.dumps(entry['label'], ensure_ascii=False)}]")


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


def _run(action, strict: bool, consequence: str = ""):
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
    """Errors one by one; warnings too, but one line for a warning said of many files
    (an unknown label in 76 briefings), and with --quiet only their count."""
    for diagnostic in report.errors:
        click.echo(str(diagnostic), err=True)
    groups: dict[tuple[str, str], list] = {}
    for diagnostic in report.warnings:
        groups.setdefault((diagnostic.kind, diagnostic.message), []).append(diagnostic)
    if not quiet:
        for found in groups.values():
            more = f" (and {_count(len(found) - 1, 'more file')})" if len(found) > 1 else ""
            click.echo(f"{found[0]}{more}", err=True)
        for note in report.notes:
            click.echo(f"Note: {note}.", err=True)
    kinds = Counter(d.kind for d in report.warnings)
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    if quiet and not report.warnings:
        return
    click.echo(
        f"{report.files} files, {report.turns} turns, {report.speakers} speakers; "
        f"{len(report.warnings)} warnings{f' ({by_kind})' if by_kind else ''}, "
        f"{len(report.errors)} errors.",
        err=True,
    )
    if any(d.kind == "unknown-label" for d in report.warnings):
        click.echo("`podium people --unresolved` lists the unknown labels with entries for speakers.yaml.", err=True)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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
