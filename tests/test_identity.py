"""Who spoke: labels to roles and people."""

import datetime as dt

import pytest

from generator.identity import Resolver, display_from_label, names_in, role_for, surname_of
from generator.model import TurnKind
from generator.registry import BUILT_IN, Registry, load_registry, normalise_label


@pytest.fixture(scope="module")
def registry() -> Registry:
    registry, problems = load_registry(BUILT_IN)
    assert problems == []
    return registry


@pytest.mark.parametrize("label, kind, name", [
    ("Q", TurnKind.QUESTION, "Question"),
    ("QUESTION", TurnKind.QUESTION, "Question"),
    ("MODERATOR", TurnKind.MODERATION, "Moderator"),
    ("OPERATOR", TurnKind.MODERATION, "Operator"),
    ("STAFF", TurnKind.MODERATION, "Staff"),
    ("AIDE", TurnKind.MODERATION, "Aide"),
    ("INTERPRETER", TurnKind.INTERPRETATION, "Interpreter"),
    ("SENIOR ADMINISTRATION OFFICIAL", TurnKind.ANONYMOUS, "Senior Administration Official"),
    ("SENIOR ADMINISTRATION OFFICIAL ONE", TurnKind.ANONYMOUS, "Senior Administration Official One"),
])
def test_roles(label, kind, name):
    role = role_for(label)
    assert (role.kind, role.name) == (kind, name)


@pytest.mark.parametrize("label", ["MR CARNEY", "THE PRESIDENT", "JOHN KERRY", "SECRETARY KERRY"])
def test_people_are_not_roles(label):
    assert role_for(label) is None


@pytest.mark.parametrize("printed, key", [
    ("MR. CARNEY", "MR CARNEY"), ("Mr. EARNEST", "MR EARNEST"), ("Dr.  Fauci", "DR FAUCI"),
])
def test_label_forms_normalise_to_one_key(printed, key):
    assert normalise_label(printed) == key


@pytest.mark.parametrize("label, surname", [
    ("MR CARNEY", "CARNEY"), ("FOREIGN MINISTER LAVROV", "LAVROV"),
    ("MR DE MISTURA", "DE MISTURA"), ("SECRETARY LAHOOD", "LAHOOD"), ("JOHN KERRY", None),
])
def test_surname_of(label, surname):
    assert surname_of(label) == surname


def test_names_in_title_carry_their_office():
    title = ("Remarks at a Press Availability with Foreign Minister Sergey Lavrov "
             "and UN Special Envoy Staffan de Mistura")
    assert names_in(title, "LAVROV") == [("Sergey Lavrov", "Foreign Minister")]
    assert names_in(title, "DE MISTURA") == [("Staffan de Mistura", "UN Special Envoy")]
    assert names_in("Press Briefing by Press Secretary Jen Psaki", "PSAKI") == [
        ("Jen Psaki", "Press Secretary")]
    assert names_in("Remarks by the President", "PRESIDENT") == []


@pytest.mark.parametrize("label, shown", [
    ("MR. SMITH", "Mr. Smith"), ("SECRETARY LaHOOD", "Secretary LaHood"),
    ("MR. McDONOUGH", "Mr. McDonough"), ("GENERAL JONES-SMITH", "General Jones-Smith"),
])
def test_display_from_label(label, shown):
    assert display_from_label(label) == shown


def test_the_president_resolves_by_date(registry):
    resolver = Resolver(registry)
    assert resolver.local("THE PRESIDENT", dt.date(2010, 5, 1), []).name == "Barack Obama"
    assert resolver.local("THE PRESIDENT", dt.date(2022, 5, 1), []).name == "Joe Biden"
    assert resolver.local("THE PRESIDENT", None, []) is None


def test_surname_learned_in_one_briefing_resolves_another(registry):
    resolver = Resolver(registry)
    local = resolver.local("MR SMITHERS", None, [("Press Briefing by Press Secretary Waylon Smithers", None,
                                                  "title", "a.txt")])
    assert local.name == "Waylon Smithers"
    assert resolver.local("MR SMITHERS", None, []) is None
    assert resolver.archive("MR SMITHERS", "MR. SMITHERS").name == "Waylon Smithers"


def test_registry_surname_resolves_without_context(registry):
    assert Resolver(registry).archive("MR CARNEY", "MR. CARNEY").name == "Jay Carney"


def test_typo_of_a_role_resolves_with_a_suggestion(registry):
    resolution = Resolver(registry).archive("SENIOR ADMINSTRATION OFFICIAL", "SENIOR ADMINSTRATION OFFICIAL")
    assert resolution.role.name == "Senior Administration Official"
    assert resolution.note == ("speaker label 'SENIOR ADMINSTRATION OFFICIAL' looks like a "
                               "misspelling of 'SENIOR ADMINISTRATION OFFICIAL'")


def test_unknown_label_becomes_a_name_with_a_warning(registry):
    resolution = Resolver(registry).archive("MR ZORBLAX", "MR. ZORBLAX")
    assert resolution.name == "Mr. Zorblax"
    assert "unknown speaker label 'MR. ZORBLAX'" in resolution.note


@pytest.mark.parametrize("label, printed, name", [
    ("R GIBBS", "R. GIBBS", "Robert Gibbs"), ("QMS PSAKI", "QMS. PSAKI", "Jen Psaki"),
    ("MR EARNET", "MR. EARNET", "Josh Earnest"),
])
def test_mangled_labels_of_known_people_resolve_with_a_warning(registry, label, printed, name):
    resolution = Resolver(registry).archive(label, printed)
    assert resolution.name == name
    assert resolution.note == f"speaker label '{printed}' looks like a misspelling of a label for {name}"


def test_a_full_name_after_an_honorific_is_that_name(registry):
    assert Resolver(registry).archive("MS ASHLEY BIDEN", "Ms. Ashley Biden").name == "Ashley Biden"


def test_undated_briefing_resolves_through_its_folders_period(registry):
    resolver = Resolver(registry)
    period = (dt.date(2009, 3, 1), dt.date(2016, 8, 1))
    assert resolver.local("THE PRESIDENT", None, [], period).name == "Barack Obama"
    assert resolver.local("THE PRESIDENT", None, [], (dt.date(2016, 3, 1), dt.date(2021, 8, 1))) is None


def test_two_labels_run_together_name_the_first_speaker(registry):
    assert Resolver(registry).archive("MR EARNEST MR PRESIDENT", "MR. EARNEST MR. PRESIDENT").name == "Josh Earnest"


def test_a_plain_full_name_label_is_that_person(registry):
    assert Resolver(registry).local("JEN PSAKI", None, []).name == "Jen Psaki"
    assert Resolver(registry).local("TO THE CONGRESS OF THE UNITED STATES", None, []) is None


def test_office_words_are_not_given_names():
    title = "Press Briefing by Director of the Office of Management and Budget Jeff Zients"
    assert names_in(title, "ZIENTS") == [("Jeff Zients", None)]
