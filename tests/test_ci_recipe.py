"""The documented GitHub Actions recipe parses and does what the README says it does."""

from pathlib import Path

import yaml

RECIPE = Path(__file__).resolve().parent.parent / "docs" / "github-pages.yml"


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def test_recipe_restores_the_cache_builds_and_deploys():
    workflow = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
    build = steps(workflow, "build")
    uses = [s.get("uses", "").split("@")[0] for s in build]
    runs = [s.get("run", "") for s in build]
    cache = next(s for s in build if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"].split() == [".podium-cache", "output"]  # the site too: kept files come from it
    assert uses.index("actions/cache") < next(i for i, r in enumerate(runs) if r.startswith("podium build"))
    assert any(r.startswith("podium check") and "--strict" in r for r in runs)
    assert "actions/upload-pages-artifact" in uses
    assert next(s for s in build if "upload-pages-artifact" in s.get("uses", ""))["with"]["path"] == "output"
    assert steps(workflow, "deploy")[0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
