"""Wheel build hook: the wheel carries the templates and lunr.js (from npm, pinned by
package-lock.json), so a pip-installed Podium needs no Node. Editable installs read both
from the checkout instead."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class PodiumAssets(BuildHookInterface):
    PLUGIN_NAME = "podium-assets"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        lunr = root / "node_modules" / "lunr"
        if not (lunr / "lunr.min.js").is_file():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError("building a Podium wheel needs npm to fetch lunr.js (npm ci)")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
        build_data["force_include"][str(root / "templates")] = "generator/templates"
        build_data["force_include"][str(lunr / "lunr.min.js")] = "generator/vendor/lunr.min.js"
        build_data["force_include"][str(lunr / "LICENSE")] = "generator/vendor/LICENSE.lunr"
