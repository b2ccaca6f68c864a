"""Who spoke: labels as printed resolve to roles or to one person per human.

Resolution order for a label in a briefing:
1. a role (`Q`, `MODERATOR`, `SENIOR ADMINISTRATION OFFICIAL ONE`): no person;
2. a dated office label (`THE PRESIDENT`) held on the briefing's date, from the registry;
   an undated briefing uses its folder's span of dates when one holder covers it all;
3. a registry alias;
4. honorific + surname (`MR. CARNEY`): a full name ending in that surname found in the
   briefing's own header, title or front matter, else the registry, else the full name
   the same surname resolved to most often elsewhere in the archive; honorific + full
   name (`MS. ASHLEY BIDEN`) is that name; a label of a plain full name is that name;
5. otherwise the label itself becomes the name, with a warning.
Slips resolve with a warning that names what they were taken for: a near miss of a
known label (`SENIOR ADMINSTRATION OFFICIAL`), of a known surname (`MR. EARNET`), or a
mangled honorific before one (`R. GIBBS`, `QMS. PSAKI`); two labels run together
(`MR. EARNEST MR. PRESIDENT`) name the first.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from generator.model import Role, TurnKind
from generator.registry import Person, Registry, normalise_label

_ANON = r"(?:SENIOR |SR )?(?:[A-Z]+ )?(?:ADMINISTRATION|STATE DEPARTMENT|DEPARTMENT|DEFENSE|WHITE HOUSE|US|U S|MILITARY|INTELLIGENCE|TREASURY)? ?OFFICIAL"
_ROLE_PATTERNS: list[tuple[re.Pattern[str], TurnKind]] = [
    (re.compile(r"(?:Q|QUESTION|QUESTIONS|REPORTER|REPORTERS|PRESS|JOURNALIST|AUDIENCE MEMBER|AUDIENCE QUESTION)(?: \d+)?"), TurnKind.QUESTION),
    (re.compile(r"(?:THE )?(?:MODERATOR|OPERATOR|STAFF|AIDE|STAFFER|PRESS STAFF|ANNOUNCER|HOST|MASTER OF CEREMONIES|NARRATOR)(?: \d+)?"), TurnKind.MODERATION),
    (re.compile(r"(?:THE )?(?:INTERPRETER|TRANSLATOR)"), TurnKind.INTERPRETATION),
    (re.compile(_ANON + r"(?: (?:ONE|TWO|THREE|FOUR|FIVE|SIX|\d+|#\d+|[A-F]))?"), TurnKind.ANONYMOUS),
    (re.compile(r"(?:PARTICIPANT|PARTICIPANTS|AUDIENCE|AUDIENCE MEMBERS|CROWD|VOICE|VOICES|SPEAKER|UNIDENTIFIED SPEAKER|PARTICIPANT \d+)"), TurnKind.ANONYMOUS),
]
_ROLE_NAMES = {"Q": "Question", "QUESTIONS": "Question", "PRESS": "Question"}

# Words that precede a surname in a label or a title: "MR. CARNEY", "Press Secretary Jen Psaki".
HONORIFICS = {
    "MR", "MRS", "MS", "MISS", "DR", "SIR", "DAME", "LORD", "LADY", "THE", "HON", "HONORABLE",
    "SECRETARY", "SENATOR", "SEN", "GOVERNOR", "GOV", "GENERAL", "GEN", "ADMIRAL", "ADM",
    "AMBASSADOR", "AMB", "MINISTER", "FOREIGN", "PRIME", "DEFENCE", "DEFENSE", "PRESIDENT",
    "VICE", "CHANCELLOR", "SPECIAL", "ENVOY", "ADMINISTRATOR", "DIRECTOR", "DEPUTY",
    "REPRESENTATIVE", "REP", "CONGRESSMAN", "CONGRESSWOMAN", "SPEAKER", "LEADER", "MAYOR",
    "CHAIRMAN", "CHAIR", "CHAIRWOMAN", "COLONEL", "COL", "CAPTAIN", "CAPT", "LIEUTENANT",
    "LT", "MAJOR", "SERGEANT", "SGT", "COMMANDER", "CMDR", "JUDGE", "JUSTICE", "ATTORNEY",
    "PRESS", "ASSISTANT", "NATIONAL", "SECURITY", "ADVISOR", "ADVISER", "COUNSELOR", "KING",
    "QUEEN", "PRINCE", "PRINCESS", "EMIR", "SHEIKH", "CROWN", "HIS", "HER", "EXCELLENCY",
    "FIRST", "SURGEON", "CHIEF", "STAFF", "OF", "UN", "U", "S", "US", "COMMISSIONER",
    "SPOKESPERSON", "SPOKESMAN", "COORDINATOR", "STATE", "TAOISEACH", "PREMIER",
    "FATHER", "REVEREND", "REV", "PASTOR", "RABBI", "BISHOP", "CARDINAL", "POPE", "DOCTOR",
}
# Capitalised words in titles that are offices or bodies, never given names.
_NOT_NAMES = HONORIFICS | {
    "COMMUNICATIONS", "AFFAIRS", "POLICY", "ECONOMIC", "COUNCIL", "HOMELAND", "NSC", "NEC",
    "RESPONSE", "TEAM", "OFFICE", "DEPARTMENT", "WHITE", "HOUSE", "CABINET", "AGENCY",
    "INTERNATIONAL", "DOMESTIC", "CLIMATE", "HEALTH", "COVID-19", "BUREAU", "MINISTRY",
    "BUDGET", "MANAGEMENT", "TREASURY", "COMMERCE", "LABOR", "ENERGY", "TRANSPORTATION",
    "EDUCATION", "AGRICULTURE", "INTERIOR", "VETERANS", "TRADE", "ADVISERS", "ADVISORS",
    "SERVICES", "HUMAN", "DEVELOPMENT", "PROTECTION", "ADMINISTRATION", "FEDERAL", "EMERGENCY",
    "INNOVATION", "TECHNOLOGY", "SCIENCE", "INFRASTRUCTURE", "IMPLEMENTATION",
}
_PARTICLES = {"de", "da", "del", "della", "di", "van", "von", "der", "den", "le", "la", "al", "el", "bin", "ibn", "du", "dos", "das"}
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*|(?:" + "|".join(_PARTICLES) + r")\b", re.UNICODE)


@dataclass(frozen=True)
class Resolution:
    """What one label in one briefing means: a role, or a person's full name."""

    role: Role | None = None
    name: str | None = None
    person: Person | None = None
    offices: tuple[str, ...] = ()
    note: str | None = None  # why this needs a warning, if it does
    note_kind: str = "unknown-label"


def role_for(label: str) -> Role | None:
    """The role a normalised label names, if it is one."""
    for pattern, kind in _ROLE_PATTERNS:
        if pattern.fullmatch(label):
            if label in _ROLE_NAMES:
                name = _ROLE_NAMES[label]
            else:
                name = " ".join(w.capitalize() for w in label.split())
            return Role(key=label.lower().replace(" ", "-"), name=name, kind=kind)
    return None


def surname_of(label: str) -> str | None:
    """`FOREIGN MINISTER LAVROV` -> `LAVROV`; `MR DE MISTURA` -> `DE MISTURA`; None for no title."""
    words = label.split()
    i = 0
    while i < len(words) - 1 and words[i] in HONORIFICS:
        i += 1
    if i == 0 or words[i] in HONORIFICS:
        return None
    rest = words[i:]
    # "MR. EARNEST MR. PRESIDENT": two labels run together; the first names the speaker.
    end = next((j for j in range(1, len(rest)) if rest[j] in {"MR", "MRS", "MS", "DR"}), len(rest))
    return " ".join(rest[:end])


_NOT_IN_NAMES = {"OF", "THE", "TO", "AND", "FOR", "IN", "ON", "AT", "BY", "FROM", "WITH"}


def _mangled_honorific(word: str) -> bool:
    """`R` (for MR), `QMS` (Q run into MS): a transcription slip, not a given name."""
    return len(word) == 1 or (word.endswith(("MR", "MS", "MRS", "DR")) and word not in HONORIFICS)


def _full_name(label: str) -> bool:
    """`JOHN KERRY` is a name; `QMS PSAKI` (a mangled honorific) and phrases are not."""
    words = label.split()
    return 2 <= len(words) <= 4 and not _mangled_honorific(words[0]) and not _NOT_IN_NAMES & set(words)


def full_name_in_label(label: str) -> str | None:
    """`MS ASHLEY BIDEN` names a person in full: `ASHLEY BIDEN` (but `MR DE MISTURA` does not)."""
    surname = surname_of(label)
    if surname is None or " " not in surname or surname.split()[0].lower() in _PARTICLES:
        return None
    return surname


def names_in(text: str, surname: str) -> list[tuple[str, str | None]]:
    """Full names ending in `surname` (case-insensitive) in free text such as a title,
    each with the office words before it: ("Sergey Lavrov", "Foreign Minister")."""
    found = []
    words = r"\s+".join(map(re.escape, surname.split()))
    pattern = re.compile(r"(?<![\w-])" + words + r"(?![\w-])", re.IGNORECASE)
    for match in pattern.finditer(text):
        before = text[: match.start()].split()
        given: list[str] = []
        while before and len(given) < 2:
            bare = before[-1].strip(",;:()")
            if bare != before[-1] and given:
                break
            if bare.upper().replace(".", "") in _NOT_NAMES or not _NAME_WORD.fullmatch(bare):
                break
            given.insert(0, before.pop())
        while given and given[0].lower() in _PARTICLES:
            before.append(given.pop(0))
        office = []
        while before and before[-1].upper().replace(".", "") in HONORIFICS | {"OF"}:
            office.insert(0, before.pop())
        while office and office[0].upper() in {"OF", "THE", "BY", "WITH", "AND"}:
            office.pop(0)
        if given:
            found.append((" ".join(given + [match.group(0)]), " ".join(office) or None))
    return found


def display_from_label(label: str) -> str:
    """A readable name from a label as printed: `MR. SMITH` -> `Mr. Smith`, `LaHOOD` -> `LaHood`."""
    def word(w: str) -> str:
        if mixed := re.fullmatch(r"(Mc|Mac|La|De|Di|Le|O')([A-Z]{2,})", w):
            return mixed.group(1) + mixed.group(2).capitalize()
        if w.isupper() and len(w) > 1 and not re.fullmatch(r"(?:[A-Z]\.)+", w):
            return "-".join(p.capitalize() for p in w.split("-"))
        return w
    return " ".join(word(w) for w in label.split())


class Resolver:
    """Resolves labels briefing by briefing, then across the archive by surname."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.known_labels = {a for p in registry.people for a in p.aliases} | registry.dated_labels
        self.surnames: dict[str, Counter[str]] = {}
        self._archived: dict[tuple[str, str], Resolution] = {}  # archive's answers, until _learn
        self.learnt: list[tuple[str, str]] | None = None  # when a list, what `local` learns is noted in it
        for person in registry.people:
            self._learn(person.name.split()[-1].upper(), person.name, weight=1000)
            for alias in person.aliases:
                if (s := surname_of(alias)) is not None:
                    self._learn(s, person.name, weight=1000)

    def _learn(self, surname: str, name: str, weight: int = 1) -> None:
        self.surnames.setdefault(surname.upper(), Counter())[name] += weight
        self._archived.clear()  # answers given so far may change with what was learnt
        if self.learnt is not None:
            self.learnt.append((surname, name))

    def relearn(self, learnt: list[tuple[str, str]]) -> None:
        """Learn again what `local` learnt of a briefing in an earlier build."""
        for surname, name in learnt:
            self._learn(surname, name)

    def archive_basis(self) -> str:
        """A digest of all that archive's answers depend on: the registry, each surname
        learnt and the name it most often stands for. Equal bases, equal answers."""
        basis = (self.registry, sorted((s, c.most_common(1)[0][0]) for s, c in self.surnames.items()))
        return hashlib.blake2b(repr(basis).encode(), digest_size=16).hexdigest()

    @property
    def archived(self) -> dict[tuple[str, str], Resolution]:
        """The answers archive gave since the last thing learnt."""
        return self._archived

    def recall(self, answers: dict[tuple[str, str], Resolution]) -> None:
        """Take answers archive gave in an earlier build on the same basis."""
        self._archived.update(answers)

    def local(self, label: str, day, context: list[tuple[str, str | None]],
              period: tuple | None = None) -> Resolution | None:
        """Resolve from the label and the briefing's own context (texts, each with the office
        it states, if any); None: try the archive."""
        if (role := role_for(label)) is not None:
            return Resolution(role=role)
        if (person := self.registry.holder(label, day)) is not None:
            return self._person(person)
        if day is None and period and (person := self.registry.holder_throughout(label, *period)):
            return self._person(person)
        if (person := self.registry.by_alias(label)) is not None:
            return self._person(person)
        surname = surname_of(label)
        if surname is None:
            if _full_name(label) and label not in self.known_labels:
                return Resolution(name=display_from_label(label))
            return None
        for text, stated_office in context:
            for name, office in names_in(text, surname):
                office = office or stated_office
                registered = self._registered(name)
                if registered:
                    name = registered.name
                elif name.isupper():
                    name = display_from_label(name)  # "JOHN SMITH" in a caps header
                self._learn(surname, name)
                if registered:
                    return self._person(registered)
                return Resolution(name=name, offices=(office,) if office else ())
        return None

    def archive(self, label: str, original: str) -> Resolution:
        """Resolve what the briefing alone could not: by surname across the archive.
        The same unknown label recurs in many briefings: each is answered once (a fuzzy
        match against every known surname and label is a tenth of the link pass)."""
        found = self._archived.get((label, original))
        if found is None:
            found = self._archived[(label, original)] = self._archive(label, original)
        return found

    def _archive(self, label: str, original: str) -> Resolution:
        if full := full_name_in_label(label):
            return Resolution(name=display_from_label(full))
        surname = surname_of(label) or (label if " " not in label else None)
        if surname and surname in self.surnames:
            return self._by_surname(surname)
        words = label.split()
        if len(words) == 2 and _mangled_honorific(words[0]) and words[1] in self.surnames:
            resolved = self._by_surname(words[1])  # "R. GIBBS", "QMS. PSAKI": a mangled honorific
            return Resolution(
                name=resolved.name, person=resolved.person, offices=resolved.offices,
                note_kind="label-typo",
                note=f"speaker label '{original}' looks like a misspelling of a label for {resolved.name}",
            )
        if surname_of(label) and (near := difflib.get_close_matches(surname, self.surnames, n=1, cutoff=0.85)):
            resolved = self._by_surname(near[0])
            return Resolution(
                name=resolved.name, person=resolved.person, offices=resolved.offices,
                note_kind="label-typo",
                note=f"speaker label '{original}' looks like a misspelling of a label for {resolved.name}",
            )
        near = difflib.get_close_matches(label, self._all_labels(), n=1, cutoff=0.88)
        if near and near[0] != label:
            resolved = self.local(near[0], None, []) or self.archive(near[0], near[0])
            return Resolution(
                role=resolved.role, name=resolved.name, person=resolved.person,
                offices=resolved.offices, note_kind="label-typo",
                note=f"speaker label '{original}' looks like a misspelling of '{near[0]}'",
            )
        return Resolution(
            name=display_from_label(original),
            note=f"unknown speaker label '{original}': no full name in the title, header or registry",
        )

    def _by_surname(self, surname: str) -> Resolution:
        name = self.surnames[surname].most_common(1)[0][0]
        registered = self._registered(name)
        return self._person(registered) if registered else Resolution(name=name)

    def _all_labels(self) -> list[str]:
        roles = ["QUESTION", "MODERATOR", "OPERATOR", "SENIOR ADMINISTRATION OFFICIAL", "INTERPRETER"]
        return sorted(self.known_labels | set(roles))

    def _registered(self, name: str) -> Person | None:
        """The registry's person whose name this is, or ends with ("... John Kirby")."""
        name = name.casefold()
        return next((p for p in self.registry.people
                     if name == p.name.casefold() or name.endswith(" " + p.name.casefold())), None)

    @staticmethod
    def _person(person: Person) -> Resolution:
        return Resolution(name=person.name, person=person, offices=tuple(o.title for o in person.offices))


__all__ = ["Resolution", "Resolver", "names_in", "normalise_label", "role_for", "surname_of"]
