"""Small sites built in temporary folders: the export contract, feed, sitemap, speakers,
reproducible builds, and a failed build that leaves the last good site alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from test_interrupt import many_briefings

from generator.build import build
from generator.config import Config
from generator.errors import ContentError

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
SEED_SLUG = "2015-12-18-remarks-at-a-press-availability-with-foreign-minister-sergey-lavrov"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TURN_KINDS = {"remarks", "question", "moderation", "anonymous", "interpretation", "narration"}
EVENT_KINDS = {"briefing", "gaggle", "press-conference", "background-call", "interview",
               "press-availability", "remarks", "statement", "other"}


def build_site(content: Path, output: Path, **overrides) -> Path:
    build(content, output, Config().with_overrides(**overrides))
    return output


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The seed and the demo's speakers.yaml, built: the exact figures below are the seed's."""
    root = tmp_path_factory.mktemp("demo")
    (root / "content").mkdir()
    for name in ("000_dc28f8c96af5d01d.txt", "speakers.yaml"):
        shutil.copy(REPO / "content" / name, root / "content" / name)
    return build_site(root / "content", root / "output")


@pytest.fixture(scope="module")
def seed(demo) -> dict:
    return json.loads((demo / "api" / "briefings" / f"{SEED_SLUG}.json").read_text())


# ---- the JSON export -----------------------------------------------------------------


def test_seed_turns_per_label_with_speaker_slugs(seed):
    counts = Counter((u["label"], u["speaker"]) for u in seed["utterances"])
    assert counts == {
        ("SECRETARY KERRY", "john-kerry"): 17,
        ("FOREIGN MINISTER LAVROV", "sergey-lavrov"): 10,
        ("MR DE MISTURA", "staffan-de-mistura"): 4,
        ("MR KIRBY", "john-kirby"): 5,
        ("QUESTION", None): 13,
        ("STAFF", None): 1,
    }


def test_seed_turns_are_in_source_order(seed):
    source = (REPO / "content" / "000_dc28f8c96af5d01d.txt").read_text(encoding="utf-8")
    labels = re.findall(r"^([A-Z][A-Z ]+):", source, flags=re.MULTILINE)
    assert [u["label"] for u in seed["utterances"]] == labels
    assert [u["id"] for u in seed["utterances"]] == [f"u{n}" for n in range(1, 51)]
    assert seed["utterances"][0]["text"].startswith("Well, good evening, everybody.")


def test_seed_export_has_the_documented_shape(demo, seed):
    index = json.loads((demo / "api" / "index.json").read_text())
    assert index == [{
        "slug": SEED_SLUG,
        "title": "Remarks at a Press Availability with Foreign Minister Sergey Lavrov "
                 "and UN Special Envoy Staffan de Mistura",
        "date": "2015-12-18",
        "url": f"briefings/{SEED_SLUG}/",
    }]
    assert list(seed) == ["slug", "title", "date", "url", "kind", "place", "speakers", "utterances", "figures"]
    assert {k: seed[k] for k in index[0]} == index[0]
    assert (seed["kind"], seed["place"]) == ("press-availability", "New York, NY")
    assert seed["speakers"] == [
        {"slug": "john-kerry", "name": "John Kerry"},
        {"slug": "sergey-lavrov", "name": "Sergey Lavrov"},
        {"slug": "staffan-de-mistura", "name": "Staffan de Mistura"},
        {"slug": "john-kirby", "name": "John Kirby"},
    ]
    for utterance in seed["utterances"]:
        fields = ["id", "speaker", "label", "kind", "text", "exchange", "marks"]
        assert list(utterance) == fields + (["asker"] if utterance["kind"] == "question" else [])
        assert utterance["kind"] in TURN_KINDS
        assert "(Laughter.)" not in utterance["text"]  # stage directions are left out
    assert (demo / index[0]["url"] / "index.html").is_file()


def test_stage_directions_are_left_out_of_the_export(tmp_path):
    output = build_site(SITES / "three_briefings", tmp_path / "output")
    briefing = json.loads((output / "api/briefings/2016-01-05-daily-press-briefing.json").read_text())
    assert briefing["utterances"][2] == {
        "id": "u3", "speaker": "john-kirby", "label": "MR KIRBY", "kind": "remarks", "text": "Not yet.",
        "exchange": "x1", "marks": [{"kind": "laughter", "text": "(Laughter.)"}],
    }  # out of the words, kept as what they are
    assert briefing["kind"] in EVENT_KINDS


def test_markdown_with_front_matter_builds(tmp_path):
    output = build_site(SITES / "markdown_front_matter", tmp_path / "output")
    slug = "2016-03-02-interview-with-jane-example-on-climate-talks"
    briefing = json.loads((output / f"api/briefings/{slug}.json").read_text())
    assert (briefing["title"], briefing["date"], briefing["kind"], briefing["place"]) == (
        "Interview With Jane Example on Climate Talks", "2016-03-02", "interview", "Paris, France")
    assert briefing["speakers"] == [{"slug": "jane-example", "name": "Jane Example"}]
    assert [(u["label"], u["speaker"]) for u in briefing["utterances"]] == [
        ("QUESTION", None), ("AMBASSADOR EXAMPLE", "jane-example"),
        ("QUESTION", None), ("AMBASSADOR EXAMPLE", "jane-example"),
    ]
    page = (output / f"briefings/{slug}/index.html").read_text()
    assert "It is a <em>pleasure</em> to be here, and I mean that." in page
    assert (output / "speakers/jane-example/index.html").is_file()


# ---- reproducible and atomic ---------------------------------------------------------


def test_two_builds_are_byte_identical(tmp_path):
    first = tree(build_site(SITES / "three_briefings", tmp_path / "one"))
    second = tree(build_site(SITES / "three_briefings", tmp_path / "two"))
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []


def test_the_demo_builds_byte_identically(tmp_path):
    first = tree(build_site(REPO / "content", tmp_path / "first"))
    assert tree(build_site(REPO / "content", tmp_path / "again")) == first


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SITES / "three_briefings", content)
    output = build_site(content, tmp_path / "output")
    before = tree(output)
    (content / "2016-02-01-broken.md").write_text("---\ntitle: Never closed\n\nMR KIRBY: Hello.\n")
    with pytest.raises(ContentError) as failure:
        build_site(content, output)
    broken = content / "2016-02-01-broken.md"
    assert [str(d) for d in failure.value.diagnostics] == [
        f"{broken}:1: error: front matter opened with '---' is never closed",
        f"{broken}:1: error: no title: the first line or front matter `title:` names the event",
        f"{broken}:1: warning: no speaker turns found",
    ]
    assert tree(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]


# ---- feed and sitemap ----------------------------------------------------------------


def test_feed_and_sitemap_parse_and_list_the_briefing(tmp_path):
    output = build_site(REPO / "content", tmp_path / "output", base_url="https://example.org/")
    feed = feedparser.parse(output / "feed.xml")
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.id == "https://example.org/"
    assert f"https://example.org/briefings/{SEED_SLUG}/" in [e.id for e in feed.entries]
    sitemap = ET.parse(output / "sitemap.xml").getroot()
    locs = [u.findtext(f"{SITEMAP}loc") for u in sitemap.findall(f"{SITEMAP}url")]
    assert f"https://example.org/briefings/{SEED_SLUG}/" in locs
    assert "https://example.org/speakers/john-kerry/" in locs


def test_without_a_base_url_the_feed_is_valid_and_there_is_no_sitemap(demo):
    """Atom ids are absolute IRIs and sitemap locations full URLs: without an absolute
    base URL the ids are name-based UUIDs and no sitemap is written."""
    feed = feedparser.parse(demo / "feed.xml")
    assert not feed.bozo, feed.get("bozo_exception")
    ids = [feed.feed.id] + [e.id for e in feed.entries]
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i)
               for i in ids), ids
    assert len(set(ids)) == len(ids) == 2
    assert feed.entries[0].link == f"/briefings/{SEED_SLUG}/"
    assert not (demo / "sitemap.xml").exists()
    html = (demo / "briefings" / SEED_SLUG / "index.html").read_text()
    assert 'rel="canonical"' not in html


def test_a_build_without_a_base_url_says_once_what_it_affects(tmp_path):
    shutil.copytree(SITES / "three_briefings", tmp_path / "content")
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--content", "content"],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    notes = [line for line in done.stderr.splitlines() if "base URL" in line]
    assert notes == [("Note: no absolute base URL (base_url: https://host/path/ in podium.yaml, or "
                     "--base-url): sitemap.xml is not written, feed ids are urn:uuid names, pages have "
                     "no canonical link; pages link to each other relatively and work from any folder.")]
    quiet = subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--content", "content"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    assert quiet.stderr == ""


@pytest.mark.parametrize("base_url", ["/archive/", "https://example.org/archive/"])
def test_the_base_url_is_used_in_feed_and_sitemap(tmp_path, base_url):
    output = build_site(REPO / "content", tmp_path / "output", base_url=base_url)
    feed = ET.parse(output / "feed.xml").getroot()
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert f"{base_url}feed.xml" in links
    assert f"{base_url}briefings/{SEED_SLUG}/" in links
    if not base_url.startswith("https://"):
        assert not (output / "sitemap.xml").exists()
        return
    sitemap = ET.parse(output / "sitemap.xml").getroot()
    locs = [u.findtext(f"{SITEMAP}loc") for u in sitemap.findall(f"{SITEMAP}url")]
    assert locs[0] == base_url
    assert f"{base_url}briefings/{SEED_SLUG}/" in locs
    assert all(loc.startswith(base_url) for loc in locs)


def test_a_base_url_given_to_a_rebuild_reaches_every_file(tmp_path):
    """Issue 19: the feed's and sitemap's own URLs were kept from the build before, as
    Jinja had folded `""|absolute` into the template code kept in the cache."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    command = [sys.executable, "-m", "generator", "build", "--quiet", "--content", "content", "--output", "site"]
    subprocess.run(command, cwd=tmp_path, check=True)
    subprocess.run(command + ["--base-url", "https://example.org/x/"], cwd=tmp_path, check=True)
    subprocess.run(command + ["--base-url", "https://example.org/x/", "--output", "clean", "--cache",
                              "fresh-cache"], cwd=tmp_path, check=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "clean")
    assert "<id>https://example.org/x/</id>" in (tmp_path / "site" / "feed.xml").read_text()


def test_a_cache_made_for_another_site_changes_nothing(tmp_path):
    other = tmp_path / "other"
    shutil.copytree(SITES / "three_briefings", other)
    build(other, tmp_path / "other-site", Config(), cache=tmp_path / "cache")
    config = Config().with_overrides(base_url="https://example.org/", title="Mine")
    build(REPO / "content", tmp_path / "site", config, cache=tmp_path / "cache")
    build(REPO / "content", tmp_path / "clean", config)
    assert tree(tmp_path / "site") == tree(tmp_path / "clean")


# ---- speakers ------------------------------------------------------------------------


def test_speakers_index_counts(demo):
    html = (demo / "speakers" / "index.html").read_text()
    rows = re.findall(r'<tr><td><a href="\.\./speakers/([\w-]+)/">([^<]+)</a></td>'
                      r"<td>(\d+)</td><td>(\d+)</td></tr>", html)
    assert rows == [
        ("john-kerry", "John Kerry", "17", "1"),
        ("john-kirby", "John Kirby", "5", "1"),
        ("sergey-lavrov", "Sergey Lavrov", "10", "1"),
        ("staffan-de-mistura", "Staffan de Mistura", "4", "1"),
    ]


def test_roles_have_no_person_page(demo):
    people = sorted(p.name for p in (demo / "speakers").iterdir() if p.is_dir())
    assert people == ["john-kerry", "john-kirby", "sergey-lavrov", "staffan-de-mistura"]
    briefing = (demo / "briefings" / SEED_SLUG / "index.html").read_text()
    assert '<span class="role role-question">Question</span>' in briefing
    assert "speakers/question/" not in briefing and "speakers/staff/" not in briefing


def test_speaker_counts_across_briefings(tmp_path):
    output = build_site(SITES / "three_briefings", tmp_path / "output")
    html = (output / "speakers" / "index.html").read_text()
    assert '<a href="../speakers/john-kirby/">John Kirby</a></td><td>4</td><td>2</td>' in html
    assert '<a href="../speakers/john-kerry/">John Kerry</a></td><td>2</td><td>1</td>' in html


def test_builds_are_byte_identical_across_processes_hash_seeds_and_worker_counts(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; output must not. Enough briefings
    (the demo and 70 more) that parsing, rendering and indexing go parallel."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    many_briefings(content, 70)
    trees = []
    for seed, workers in (("1", "1"), ("2", "2"), ("3", "2")):
        output = tmp_path / f"output-{seed}"
        subprocess.run(
            [sys.executable, "-m", "generator", "build", "--quiet", "--workers", workers,
             "--content", str(content), "--output", str(output),
             "--cache", str(tmp_path / f"cache-{seed}")],
            cwd=tmp_path, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        trees.append(tree(output))
    assert trees[0] == trees[1] == trees[2]


def test_the_seed_s_stage_directions_are_counted_exactly(demo, seed):
    """Recounted from the source with grep's pattern: every (Laughter.), (Inaudible) in any
    case and with or without its full stop, and (Via interpreter)."""
    source = (REPO / "content" / "000_dc28f8c96af5d01d.txt").read_text()
    expected = {"laughter": len(re.findall(r"\(Laughter\.\)", source)),
                "inaudible": len(re.findall(r"\(inaudible\.?\)", source, re.IGNORECASE)),
                "interpretation": len(re.findall(r"\(Via interpreter\)", source))}
    assert expected == {"laughter": 9, "inaudible": 21, "interpretation": 7}
    assert seed["figures"]["marks"] == expected
    marks = [m for u in seed["utterances"] for m in u["marks"]]
    assert sum(m["kind"] == "laughter" for m in marks) == expected["laughter"]
    page = (demo / "briefings" / SEED_SLUG / "index.html").read_text()
    assert "Laughter</span>: 9" in page and "Inaudible</span>: 21" in page and "Interpretation</span>: 7" in page


def test_the_seed_export_says_who_asked_and_why(seed):
    questions = {u["id"]: u for u in seed["utterances"] if u["kind"] == "question"}
    talal = [u for u in questions.values() if u["asker"] and u["asker"]["name"] == "Talal Al-Haj"]
    assert [u["asker"]["evidence"] for u in talal] == ["u22", "u22", "u26", "u26"]
    assert all(u["asker"]["slug"] == "talal-al-haj" and u["asker"]["outlet"] == "Al Arabiya" for u in talal)
    evidence = {u["id"]: u for u in seed["utterances"]}["u22"]
    assert "The first question will come from Talal Al-Haj" in evidence["text"]
    assert sum(1 for u in questions.values() if u["asker"] is None) == 7
