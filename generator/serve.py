"""`podium serve`: a local preview on 127.0.0.1 that rebuilds when sources change and
tells open pages to reload."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import click

from generator.build import build
from generator.config import Config
from generator.errors import ContentError, PodiumError
from generator.render import template_dir
from generator.search import SearchCache

RELOAD_PATH = "/__podium/generation"


class _State:
    generation = 0


def serve(content: Path, output: Path, config: Config, port: int, cache: Path | None = None,
          workers: int = 1) -> None:
    """Build, serve `output` on 127.0.0.1, rebuild incrementally on change until Ctrl-C."""
    config = config.with_overrides(live_reload=True)
    rebuild = functools.partial(_rebuild, content, output, config, cache, workers, SearchCache())
    rebuild()
    handler = functools.partial(_Handler, directory=str(output.resolve()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=_watch, args=(content, rebuild), daemon=True).start()
    host, bound = server.server_address[:2]
    click.echo(f"Serving {output} on http://{host}:{bound}/ (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.server_close()


def _rebuild(content: Path, output: Path, config: Config, cache: Path | None, workers: int,
             search_cache: SearchCache) -> None:
    try:
        report = build(content, output, config, cache=cache, workers=workers, search_cache=search_cache)
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        click.echo("Build failed; still serving the last good site.", err=True)
        return
    except PodiumError as exc:
        click.echo(f"Error: {exc}; still serving the last good site.", err=True)
        return
    _State.generation += 1
    click.echo(f"Built {report.pages} pages, {report.written} files written "
               f"(generation {_State.generation}).", err=True)


def _watch(content: Path, rebuild) -> None:
    from watchfiles import watch

    for _changes in watch(content, template_dir()):
        rebuild()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == RELOAD_PATH:
            body = str(_State.generation).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # quiet: the build prints what matters
        pass
