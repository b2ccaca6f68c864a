"""Internal link checking over a built site, shared by the link tests and corpus-scale tests.

`broken_links(output, base_url)` parses every page under `output` and reports each
internal `href`/`src` that does not resolve to a file, and each `#fragment` that names
no `id` in its target page.
"""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"href", "src"}
OTHER_SCHEMES = {"", "http", "https", "mailto", "tel", "data"}  # `javascript:` is reported


class _Page(HTMLParser):
    """The ids a page defines and the links it makes, with line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES and value is not None:
                self.links.append((self.getpos()[0], value))


@cache
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def broken_links(output: Path, base_url: str = "/") -> list[str]:
    """Every internal link under `output` that leads nowhere, as `page:line: message`."""
    _parse.cache_clear()
    output = output.resolve()
    problems = []
    for page in sorted(output.rglob("*.html")):
        for line, link in _parse(page).links:
            problem = _check(output, page, link, base_url)
            if problem:
                problems.append(f"{page.relative_to(output)}:{line}: {link!r} {problem}")
    return problems


def _check(output: Path, page: Path, link: str, base_url: str) -> str | None:
    target = _target(output, page, link, base_url)
    if target is None:
        return None  # another site, or a scheme such as mailto:
    if isinstance(target, str):
        return target
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"leads to missing {target.relative_to(output) if target.is_relative_to(output) else target}"
    fragment = unquote(urlsplit(link).fragment)
    if fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
        return f"names no id {fragment!r} in {target.relative_to(output)}"
    return None


def _target(output: Path, page: Path, link: str, base_url: str) -> Path | str | None:
    """The file a link points to; None when it is not ours; a message when it escapes."""
    parts = urlsplit(link)
    base = urlsplit(base_url)
    if parts.scheme or parts.netloc:
        if not (base.netloc and parts.netloc == base.netloc and parts.scheme == base.scheme):
            return None if parts.scheme in OTHER_SCHEMES else "has a scheme"
        path = parts.path
    else:
        path = parts.path
    if not path:
        return page  # `#u3` or `?q=x`: this very page
    if path.startswith("/"):
        if not path.startswith(base.path):
            return f"is root-relative outside the base URL {base_url}"
        relative = PurePosixPath(unquote(path[len(base.path):]))
        resolved = (output / relative).resolve()
    else:
        resolved = (page.parent / unquote(path)).resolve()
    if resolved != output and not resolved.is_relative_to(output):
        return "leads outside the site"
    if path.endswith("/") and not resolved.is_dir():
        return f"leads to missing folder {path}"
    return resolved
