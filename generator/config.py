"""Site configuration: `podium.yaml` beside the content folder (or in it), CLI overrides."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from generator.errors import ConfigError

CONFIG_NAMES = ("podium.yaml", "podium.yml")


@dataclass(frozen=True)
class Config:
    title: str = "Podium"
    description: str = "Transcripts of briefings, press conferences and interviews."
    language: str = "en"
    base_url: str = "/"  # where the site is served: "/", "/archive/" or "https://host/archive/"
    live_reload: bool = False  # set by `podium serve`, not by podium.yaml

    @property
    def absolute(self) -> bool:
        return "://" in self.base_url

    def with_overrides(self, **overrides) -> Config:
        given = {k: v for k, v in overrides.items() if v is not None}
        if "base_url" in given:
            given["base_url"] = normalise_base_url(given["base_url"])
        return replace(self, **given)


def normalise_base_url(url: str) -> str:
    url = url.strip()
    if not url:
        return "/"
    if "://" not in url and not url.startswith("/"):
        url = "/" + url
    return url if url.endswith("/") else url + "/"


def find_config(content: Path) -> Path | None:
    for folder in (content, content.parent):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: unreadable configuration: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    known = {f.name for f in fields(Config)} - {"live_reload"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return Config().with_overrides(**{k: str(v) for k, v in raw.items()})


def load_yaml(text: str):
    """yaml.safe_load, by libyaml's parser where PyYAML was built with it (the same
    documents, several times faster: the bundled registry of leaders is read on every
    build); a document it refuses is read again by PyYAML's own, whose messages and
    lines are the ones Podium reports."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return yaml.safe_load(text)
