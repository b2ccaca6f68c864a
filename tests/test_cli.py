"""The `podium` command: exact messages and exit codes (0 built, 1 content, 2 usage)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import cli
from generator.render import NO_BASE_URL

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A temporary project folder as the working directory, with an empty content/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    return tmp_path


def use(project: Path, site: str) -> None:
    for source in (SITES / site).iterdir():
        shutil.copy(source, project / "content" / source.name)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="podium")


PROGRESS = re.compile(r"^[a-z]+ +\d+\.\d+ s: .*\n", re.MULTILINE)


def messages(stderr: str) -> str:
    """stderr without the per-stage timing lines (`parse      0.01 s: ...`), which vary."""
    return PROGRESS.sub("", stderr)


def test_build_of_the_demo_exits_0(project):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert messages(result.stderr).startswith(f"Note: {NO_BASE_URL}.\n4 files, 119 turns, 7 speakers; "
                                              "0 warnings, 0 errors.\n")
    assert "Built 29 pages into output in " in result.stderr  # 15, and 2 + 12 of reporters and outlets
    assert (project / "output" / "index.html").is_file()


def test_quiet_build_prints_nothing(project):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    result = run("build", "--quiet", "--output", "site")
    assert (result.exit_code, result.output) == (0, "")
    assert (project / "site" / "index.html").is_file()


def test_check_of_a_malformed_file_prints_path_line_message(project):
    use(project, "front_matter_never_closed")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert messages(result.stderr) == (
        "content/never-closed.md:1: error: front matter opened with '---' is never closed\n"
        "content/never-closed.md:1: error: no title: the first line or front matter `title:`"
        " names the event\n"
        "content/never-closed.md:1: warning: no speaker turns found\n"
        "Failed: 2 problem(s) must be fixed.\n"
    )


def test_a_failed_build_writes_nothing(project):
    use(project, "front_matter_never_closed")
    result = run("build")
    assert result.exit_code == 1
    assert not (project / "output").exists()
    # Besides content/, only the parse cache may appear: the lock is gone with the build.
    assert {p.name for p in project.iterdir()} <= {"content", ".podium-cache"}


def test_undecodable_bytes_are_a_content_error_not_a_traceback(project):
    (project / "content" / "latin1.txt").write_bytes(b"Daily Briefing\n\nMR KIRBY: caf\xe9.\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert messages(result.stderr) == (
        "content/latin1.txt:3: error: not UTF-8: byte 0xE9 on line 3 cannot be decoded\n"
        "Failed: 1 problem(s) must be fixed.\n"
    )


def test_strict_turns_a_warning_into_exit_1(project):
    use(project, "empty_turn")
    relaxed = run("check")
    assert relaxed.exit_code == 0
    assert messages(relaxed.stderr) == (
        "content/empty-turn.txt:5: warning: turn 'MR KIRBY' has no text\n"
        "1 files, 3 turns, 1 speakers; 1 warnings (empty-turn 1), 0 errors.\n"
    )
    strict = run("check", "--strict")
    assert strict.exit_code == 1
    assert messages(strict.stderr) == (
        "content/empty-turn.txt:5: warning: turn 'MR KIRBY' has no text\n"
        "Failed: 1 problem(s) must be fixed.\n"
    )
    built = run("build", "--strict")
    assert built.exit_code == 1
    assert messages(built.stderr).endswith("Failed: 1 problem(s) must be fixed; output was left as it was.\n")
    assert not (project / "output").exists()


@pytest.mark.parametrize("args", [
    ["build", "--bogus"],
    ["check", "--strict=maybe"],
    ["serve", "--port", "70000"],
    ["build", "--workers", "0"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(project, args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Error: " in result.stderr


def test_an_unknown_setting_in_podium_yaml_is_a_usage_error(project):
    (project / "content" / "podium.yaml").write_text("title: T\ncolour: red\n")
    result = run("build")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: content/podium.yaml: unknown setting(s): colour"
        " (known: base_url, description, language, title)\n")


def test_a_missing_content_folder_is_an_error(project):
    result = run("check", "--content", "nowhere")
    assert result.exit_code == 1
    assert result.stderr == "Error: content folder nowhere does not exist\n"


@pytest.mark.parametrize(("command", "options"), [
    ("build", ["--content", "--output", "--base-url", "--title", "--config", "--workers",
               "--strict", "--quiet"]),
    ("check", ["--content", "--strict", "--quiet"]),
    ("serve", ["--content", "--output", "--port"]),
])
def test_help_mentions_every_option(command, options):
    result = run(command, "--help")
    assert result.exit_code == 0
    for option in options:
        assert option in result.stdout, f"podium {command} --help does not mention {option}"


def test_top_level_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "check", "serve"):
        assert f"  {command}" in result.stdout


def test_python_m_generator_version():
    result = subprocess.run([sys.executable, "-m", "generator", "--version"],
                            check=False, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert (result.returncode, result.stdout) == (0, f"podium, version {__version__}\n")
