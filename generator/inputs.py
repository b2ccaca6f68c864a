"""What every output file is made from besides the content it shows: named here, once.

A rebuild keeps a file when the key it was made from equals the key the previous build
recorded for it (`SiteWriter.reuse`). A page's key is the digest of two parts:

- the **site's inputs**, which every page shares: `SiteInputs` below;
- the **page's own inputs**, `Page.key`: the briefings, speakers and listing entries it
  shows (render.pages). Content and `speakers.yaml` reach a page only through these.

The site's inputs, and so everything that can change every page at once, are:

| input     | what it covers |
|-----------|----------------|
| podium    | Podium's version and the digest of its code and package data (cache.STAMP) |
| config    | every `Config` field: podium.yaml and the command line's --base-url and --title |
| templates | every file of the template folder but `static/`, by path and bytes |

A new `Config` field is an input by being a field (its `repr` lists them all), and a new
template or macro file by being in the folder, so neither can be forgotten. Jinja's
compiled templates, kept in the build cache, are keyed by the same digest: Jinja folds a
filter called on constants (`""|absolute`) into the code it compiles, so compiled code
depends on the config too, not only on the template's source.

The search index's files are keyed by the search state (search.build), which depends on
the content alone (and on Podium's code, through the cache's stamp). Static files (the
stylesheet, scripts and lunr.js) are no page's input: pages name them by path, and they
are read and compared by their bytes on every build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from generator import cache
from generator.cache import digest
from generator.config import Config


@dataclass(frozen=True)
class SiteInputs:
    """The inputs every page shares, each as the text or digest that stands for it."""

    podium: str
    config: str
    templates: str

    @cached_property
    def key(self) -> str:
        """The digest of every input above: equal keys, equal site-wide inputs."""
        return digest(repr(self).encode())


def site_inputs(config: Config, templates: Path) -> SiteInputs:
    """The site-wide inputs of a build with `config` and the templates in `templates`."""
    return SiteInputs(podium=cache.STAMP, config=repr(config), templates=templates_digest(templates))


def templates_digest(folder: Path) -> str:
    """Every file under `folder` but its static files, by relative path and bytes (a
    dozen: read on every build)."""
    files = sorted(path for path in folder.rglob("*")
                   if path.is_file() and path.relative_to(folder).parts[0] != "static")
    return digest("\n".join(f"{path.relative_to(folder).as_posix()} {digest(path.read_bytes())}"
                            for path in files).encode())
