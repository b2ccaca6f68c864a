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

import bisect
import datetime as dt
import difflib
import functools
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from generator.model import Role, TurnKind, slugify, words_of
from generator.registry import BUNDLED, Person, Registry, normalise_label

_ANON = r"(?:SENIOR |SR )?(?:[A-Z]+ )?(?:ADMINISTRATION|STATE DEPARTMENT|DEPARTMENT|DEFENSE|WHITE HOUSE|US|U S|MILITARY|INTELLIGENCE|TREASURY)? ?OFFICIAL"
_ROLE_PATTERNS: list[tuple[re.Pattern[str], TurnKind]] = [
    (re.compile(r"(?:Q|QUESTION|QUESTIONS|REPORTER|REPORTERS|PRESS|JOURNALIST|AUDIENCE MEMBER|AUDIENCE QUESTION)(?: \d+)?"), TurnKind.QUESTION),
    (re.compile(r"(?:THE )?(?:MODERATOR|OPERATOR|STAFF|AIDE|STAFFER|PRESS STAFF|ANNOUNCER|HOST|MASTER OF CEREMONIES|NARRATOR)(?: \d+)?"), TurnKind.MODERATION),
    (re.compile(r"(?:THE )?(?:INTERPRETER|TRANSLATOR)"), TurnKind.INTERPRETATION),
    (re.compile(_ANON + r"(?: (?:ONE|TWO|THREE|FOUR|FIVE|SIX|\d+|#\d+|[A-F]))?"), TurnKind.ANONYMOUS),
    (re.compile(r"(?:[A-Z]+ ){1,5}(?:AIDE|AIDES|SPOKESPERSON|SPOKESMAN|SPOKESWOMAN|CREW MEMBER|STAFFER|OFFICIAL|OFFICIALS)"),
     TurnKind.ANONYMOUS),  # `WHITE HOUSE AIDE`, `NSC SPOKESPERSON`: a part, not a name
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
# Words of offices and bodies that stand before a surname in a label: `ACTING ADMINISTRATOR
# SLAVITT`, `UNDER SECRETARY BRAINARD`, `NSC SPOKESPERSON HORNE`.
OFFICE_WORDS = _NOT_NAMES | {"ACTING", "UNDER", "MEMBER", "MEMBERS", "SPEECHWRITER", "SPOKESWOMAN",
                             "COUNTERTERRORISM", "APNSA", "ENVOY", "PRINCIPAL", "SENIOR", "ASSOCIATE",
                             "DOCTORS", "DRS", "SECRETARIES", "MESSRS", "MMES", "MESDAMES"}
_LONG_OFFICE_WORDS = sorted(w for w in OFFICE_WORDS if len(w) >= 6)
_PARTICLES = {"de", "da", "del", "della", "di", "van", "von", "der", "den", "le", "la", "al", "el", "bin", "ibn", "du", "dos", "das"}
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*|(?:" + "|".join(_PARTICLES) + r")\b", re.UNICODE)


@dataclass(frozen=True)
class Resolution:
    """What one label in one briefing means: a role, or a person's full name, with the
    evidence for it (`podium people` shows it)."""

    role: Role | None = None
    name: str | None = None
    person: Person | None = None
    offices: tuple[str, ...] = ()
    note: str | None = None  # why this needs a warning, if it does
    note_kind: str = "unknown-label"
    evidence: str = ""  # "title of content/x.txt", "introduction in content/y.txt:40", ...


SLACK = dt.timedelta(days=730)  # how far from their evidence a person is still a candidate


@dataclass
class _Candidate:
    """One person a surname may stand for, as the archive shows them: the forms their
    name is printed in, the span of dates of the evidence, and the first evidence."""

    forms: Counter
    first: dt.date | None
    last: dt.date | None
    count: int
    evidence: str
    person: Person | None = None
    offices: set = field(default_factory=set)  # the offices stated before the name ("Prime Minister")

    def gap(self, first: dt.date | None, last: dt.date | None) -> dt.timedelta:
        """How far the span first..last lies from this person's evidence (0: it overlaps);
        unknown dates on either side are no gap."""
        if first is None or last is None or self.first is None or self.last is None:
            return dt.timedelta(0)
        if last < self.first:
            return self.first - last
        if first > self.last:
            return first - self.last
        return dt.timedelta(0)

    @property
    def name(self) -> str:
        """The form to print: the registry's, else the most evidenced (the longest, then
        the first in alphabetical order, of those evidenced as often)."""
        if self.person is not None:
            return self.person.name
        return min(self.forms.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))[0]


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


@functools.lru_cache(maxsize=65536)
def office_word(word: str, slips: int = 2) -> bool:
    """A word of an office or honorific, or a slip of one (`ADMINSTRATOR`, `SECRTARY`,
    `CHANCELLER`: at most `slips` letters off a long office word)."""
    if word in OFFICE_WORDS:
        return True
    return len(word) >= 6 and any(abs(len(word) - len(w)) <= slips and OSA.distance(word, w) <= slips
                                  for w in _LONG_OFFICE_WORDS)


@functools.lru_cache(maxsize=65536)
def surname_of(label: str) -> str | None:
    """`FOREIGN MINISTER LAVROV` -> `LAVROV`; `MR DE MISTURA` -> `DE MISTURA`;
    `ACTING ADMINSTRATOR SLAVITT` -> `SLAVITT`; None for no title."""
    words = label.split()
    i = 0
    # the first of two words is a slipped office only when one letter off (`SECRTARY
    # GEITHNER`), not two: a given name may be that close to one
    while i < len(words) - 1 and (words[i] in HONORIFICS or office_word(words[i], 2 if i or len(words) > 2 else 1)):
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


def names_in(text: str, surname: str, common=frozenset()) -> list[tuple[str, str | None]]:
    """Full names ending in `surname` (case-insensitive) in free text such as a title,
    each with the office words before it: ("Sergey Lavrov", "Foreign Minister"). A name
    has one given name (and any initials after it: "Gene B. Sperling"), so the last word
    of an office or a byline is never taken for one ("Speechwriter Ben Rhodes" is Ben
    Rhodes), nor a word the text uses in lower case too (`common`: "Since Hammer")."""
    found = []
    words = r"\s+".join(map(re.escape, surname.split()))
    pattern = re.compile(r"(?<![\w-])" + words + r"(?![\w-])", re.IGNORECASE)
    for match in pattern.finditer(text):
        before = text[: match.start()].split()
        given: list[str] = []
        while before and len(given) < 4:
            bare = before[-1].strip(",;:()")
            if bare != before[-1]:  # "Drs. Murthy, Fauci": a comma ends a name
                break
            if not _NAME_WORD.fullmatch(bare) or bare.lower() in common or bare.upper() in _NOT_IN_NAMES \
                    or office_word(bare.upper().replace(".", "")) \
                    or bare.endswith(".") and not _INITIAL.fullmatch(bare):  # "Drs.", "Sen."
                break
            given.insert(0, before.pop())
            if not _INITIAL.fullmatch(bare) and bare.lower() not in _PARTICLES:
                # the given name: initials and particles may come between it and the surname,
                # and a second given name between a title and it ("Governor John Bel Edwards",
                # but not "Climate Change Carol Browner")
                if len(before) >= 2 and _name_like(before[-1], common) and before[-2][:1].isupper() and \
                        before[-2].upper().replace(".", "") in HONORIFICS - {"OF", "THE", "US", "U", "S"}:
                    given.insert(0, before.pop())
                break
        while given and (given[0].lower() in _PARTICLES or _INITIAL.fullmatch(given[0])):
            before.append(given.pop(0))
        office = []
        while before and before[-1].upper().replace(".", "") in HONORIFICS | {"OF"}:
            office.insert(0, before.pop())
        while office and office[0].upper() in {"OF", "THE", "BY", "WITH", "AND"}:
            office.pop(0)
        if given:
            found.append((tidy_name(" ".join(given + [match.group(0)])), " ".join(office) or None))
    return found


_INITIAL = re.compile(r"[A-Z]\.?")


def _name_like(word: str, common) -> bool:
    """Whether a word of free text can be a given name: capitalised, no punctuation, no
    office, not a word the text uses in lower case."""
    return bool(_NAME_WORD.fullmatch(word)) and not word.endswith(".") and word.lower() not in common \
        and not re.search(r"['’][a-z]{1,2}$", word) \
        and word.upper() not in _NOT_IN_NAMES and not office_word(word.upper()) and word.lower() not in _PARTICLES


# Given names that are one person's: the short form and the long, either way round.
NICKNAMES = {
    "andy": "andrew", "bob": "robert", "rob": "robert", "bill": "william", "will": "william",
    "jim": "james", "jimmy": "james", "mike": "michael", "jeff": "jeffrey", "geoff": "geoffrey",
    "tony": "antony", "anthony": "antony", "dan": "daniel", "danny": "daniel", "liz": "elizabeth",
    "beth": "elizabeth", "jack": "jacob", "doug": "douglas", "tim": "timothy", "tom": "thomas",
    "tommy": "thomas", "ben": "benjamin", "ted": "edward", "ed": "edward", "steve": "stephen",
    "chris": "christopher", "matt": "matthew", "nick": "nicholas", "joe": "joseph", "sam": "samuel",
    "pat": "patrick", "rick": "richard", "dick": "richard", "rich": "richard", "jen": "jennifer",
    "jenn": "jennifer", "kate": "katherine", "katie": "katherine", "sue": "susan", "gene": "eugene",
    "ron": "ronald", "don": "donald", "greg": "gregory", "alex": "alexander", "fred": "frederick",
    "jon": "jonathan", "josh": "joshua", "larry": "lawrence", "denis": "dennis", "ken": "kenneth",
    "pete": "peter", "phil": "philip", "ray": "raymond", "tina": "christina", "val": "valerie",
    "debbie": "deborah", "deb": "deborah", "cathy": "catherine", "kathy": "katherine", "gus": "augustus",
}


def tidy_name(name: str) -> str:
    """A name as a reader expects it, whatever case it was printed in: `MIKE McFAUL` and
    `Michael Mcfaul` become `Mike McFaul` and `Michael McFaul`, `O’CONNELL` `O’Connell`."""
    return " ".join(_tidy_word(word) for word in name.split())


def _tidy_word(word: str) -> str:
    if word.lower() in _PARTICLES and not word.isupper():
        return word
    if "-" in word:
        return "-".join(_tidy_word(part) for part in word.split("-"))
    if mixed := re.fullmatch(r"(Mc|O['’]|D['’])([A-Z]{2,})", word):  # McFAUL
        return mixed.group(1) + mixed.group(2).capitalize()
    if word.isupper() and len(word) > 1 and not re.fullmatch(r"(?:[A-Z]\.)+", word) or word.islower():
        word = word.capitalize()
    word = re.sub(r"^(Mc)([a-z])", lambda m: m.group(1) + m.group(2).upper(), word)
    return re.sub(r"^([OD]['’])([a-z])", lambda m: m.group(1) + m.group(2).upper(), word)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case and accents aside: `Nuñez-Smith` and `NUNEZ-SMITH` are one."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> tuple[str, str]:
    """What makes two printed names one person's: the surname and the given name, folded
    (case, accents, middle initials, `Jeff` for `Jeffrey`). `Gene B. Sperling`, `Gene
    Sperling` and `GENE SPERLING` have one key."""
    words = [fold(w).strip(".,") for w in name.split() if not _INITIAL.fullmatch(w)]
    words = [w for w in words if w]
    if not words:
        return ("", "")
    given = words[0] if len(words) > 1 else ""
    return (words[-1], NICKNAMES.get(given, given))


def display_from_label(label: str) -> str:
    """A readable name from a label as printed: `MR. SMITH` -> `Mr. Smith`, `LaHOOD` -> `LaHood`."""
    def word(w: str) -> str:
        if mixed := re.fullmatch(r"(Mc|Mac|La|De|Di|Le|O')([A-Z]{2,})", w):
            return mixed.group(1) + mixed.group(2).capitalize()
        if w.isupper() and len(w) > 1 and not re.fullmatch(r"(?:[A-Z]\.)+", w):
            return _tidy_word(w)  # MCGURK, O’CONNELL, BRICE-O’HARA
        return w
    return " ".join(word(w) for w in label.split())


class Resolver:
    """Resolves labels briefing by briefing, then across the archive by surname and date."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.known_labels = {a for p in registry.people for a in p.aliases} | registry.dated_labels
        self.people: dict[str, dict[tuple[str, str], _Candidate]] = {}  # folded surname -> name key -> candidate
        self._archived: dict[tuple, Resolution] = {}  # archive's answers, until _learn
        self.learnt: list[tuple] | None = None  # when a list, what `local` learns is noted in it
        self._near: dict[str, list[str]] = {}  # a surname's near misses among those known
        self.ambiguous: tuple[str, str] | None = None  # the two people the last surname could not tell apart
        for person in registry.people:
            if person.source.startswith(BUNDLED):
                continue  # heads of state resolve by office and date (`PRESIDENT MACRON`), never by surname alone
            first, last = _office_span(person)
            how = person.source or "registry"
            self._learn(person.name.split()[-1], person.name, first, last, how, "", person)
            for alias in person.aliases:
                if (s := surname_of(alias)) is not None and " " not in s:
                    self._learn(s, person.name, first, last, how, "", person)

    def _learn(self, surname: str, name: str, first, last, how: str, where: str,
               person: Person | None = None, office: str | None = None) -> None:
        """Evidence that `name` (a full name ending in `surname`) was a person's from `first`
        to `last` (None: whenever), seen as `how` in `where`, with `office` before it."""
        key = name_key(name)
        candidates = self.people.setdefault(fold(surname), {})
        found = candidates.get(key)
        evidence = f"{how} in {where}" if where else how
        if found is None:
            found = candidates[key] = _Candidate(Counter({name: 1}), first, last, 1, evidence, person)
            if office:
                found.offices.add(office)
        else:
            if office:
                found.offices.add(office)
            found.forms[name] += 1
            found.count += 1
            found.person = found.person or person
            if found.first is not None:
                found.first = None if first is None else min(found.first, first)
            if found.last is not None:
                found.last = None if last is None else max(found.last, last)
        self._archived.clear()  # answers given so far may change with what was learnt
        self._near.clear()
        if self.learnt is not None:
            self.learnt.append((surname, name, first, last, how, where, None, office))

    def mentioned(self, mentions: list[tuple], first, last, path: str) -> None:
        """Learn the names a briefing's text gives (identity.introductions), as evidence for
        the labels of every briefing."""
        for name, office, how, line in mentions:
            self._learn(name.split()[-1], name, first, last, how, f"{path}:{line}", office=office)

    def relearn(self, learnt: list[tuple]) -> None:
        """Learn again what `local` learnt of a briefing in an earlier build."""
        for item in learnt:
            self._learn(*item)

    def archive_basis(self) -> str:
        """A digest of all that archive's answers depend on: the registry and every
        candidate's name, span and weight of evidence. Equal bases, equal answers."""
        basis = (self.registry, sorted(
            (surname, key, c.name, c.first, c.last, c.count, c.evidence, sorted(c.offices))
            for surname, candidates in self.people.items() for key, c in candidates.items()))
        return hashlib.blake2b(repr(basis).encode(), digest_size=16).hexdigest()

    @property
    def archived(self) -> dict[tuple, Resolution]:
        """The answers archive gave since the last thing learnt."""
        return self._archived

    def recall(self, answers: dict[tuple, Resolution]) -> None:
        """Take answers archive gave in an earlier build on the same basis."""
        self._archived.update(answers)

    def canonical(self, name: str) -> str:
        """The one form printed for every variant of a person's name (`Jeffrey Zients` and
        `Jeff Zients`, `Gene B. Sperling` and `Gene Sperling`, `MIKE McFAUL`)."""
        key = name_key(name)
        found = self.people.get(key[0], {}).get(key)
        return found.name if found is not None and key[1] else tidy_name(name)

    def local(self, label: str, day, context: list[tuple], period: tuple | None = None,
              where: str = "") -> Resolution | None:
        """Resolve from the label and the briefing's own context: texts, each with the office
        it states, how it was found and where (`("Press Briefing by ... Jen Psaki", None,
        "title", "content/x.txt")`); None: try the archive."""
        if (role := role_for(label)) is not None:
            return Resolution(role=role)
        dated = label if label in self.registry.dated_labels else f"THE {label}"  # VICE PRESIDENT
        person = self.registry.holder(dated, day) or (
            day is None and period and self.registry.holder_within(dated, *period)) or None
        if person is not None:
            if person.source.startswith(BUNDLED) and (named := self._named(label, person, context)):
                return named  # the archive's own word first: the bundled registry is a fallback
            how = "dated office in " + (person.source or "registry")
            return self._person(person, how if day else how + ", by the folder's dates")
        if (person := self.registry.by_alias(label)) is not None:
            return self._person(person, "alias in " + (person.source or "registry"))
        first, last = (day, day) if day else (period or (None, None))
        surname = surname_of(label)
        if surname is None:
            if _full_name(label) and label not in self.known_labels and not all(map(office_word, label.split())):
                name = display_from_label(label)
                if " " not in label.split()[-1]:
                    self._learn(label.split()[-1], name, first, last, "label", where)
                return Resolution(name=name, evidence=f"the label itself, in {where}" if where else "the label itself")
            return None
        for text, stated_office, how, seen in context:
            if how in {"introduction", "mention"}:  # a name found in the text already (introductions)
                named = [(text, None)] if fold(text).endswith(" " + fold(surname)) else []
            else:
                named = names_in(text, surname)
            for name, office in named:
                office = office or stated_office
                if not _compatible(label, office):
                    continue
                registered = self._registered(name)
                if registered:
                    name = registered.name
                elif name.isupper():
                    name = display_from_label(name)  # "JOHN SMITH" in a caps header
                if how not in {"introduction", "mention"}:  # those the link pass learns for every briefing
                    self._learn(surname, name, first, last, how, seen, office=office)
                evidence = f"{how} in {seen}" if seen else how
                if registered:
                    return self._person(registered, evidence)
                return Resolution(name=name, offices=(office,) if office else (), evidence=evidence)
        return None

    def _named(self, label: str, person: Person, context: list[tuple]) -> Resolution | None:
        """`PRESIDENT MACRON` named in the briefing's own title or header as the holder of
        that office (`President Emmanuel Macron`)."""
        surname = surname_of(label)
        for text, _office, how, seen in context:
            if surname and how in {"title", "header", "front matter"}:
                for name, _ in names_in(text, surname):
                    if name_key(name) == name_key(person.name):
                        return self._person(person, f"{how} in {seen}")
        return None

    def archive(self, label: str, original: str, day=None, period: tuple | None = None) -> Resolution:
        """Resolve what the briefing alone could not: by surname across the archive, among
        the people whose evidence lies within two years of the briefing's date (or of its
        folder's dates, if it has none). The same label recurs in many briefings: each
        answer is kept until something new is learnt."""
        key = (label, original, day, period)
        found = self._archived.get(key)
        if found is None:
            found = self._archived[key] = self._archive(label, original, day, period)
        return found

    def _archive(self, label: str, original: str, day, period) -> Resolution:
        first, last = (day, day) if day else (period or (None, None))
        if "," in label or " AND " in f" {label} " or label.split()[0] in _GROUPS:  # `DRS. WALENSKY, FAUCI`
            return Resolution(role=Role(key=slugify(label, "speakers"), name=display_from_label(original),
                                        kind=TurnKind.ANONYMOUS), evidence="several people in one label")
        if full := full_name_in_label(label):
            return Resolution(name=display_from_label(full), evidence="the label itself")
        surname = surname_of(label) or (label if " " not in label else None)
        if surname and fold(surname) in self.people:
            self.ambiguous = None
            found = self._by_surname(surname, first, last, label)
            if found is not None:
                return found
            if self.ambiguous:
                return self._unknown(original, f"both {self.ambiguous[0]} and {self.ambiguous[1]} are known "
                                               f"near {_span(first, last)}; say which in speakers.yaml")
            return self._unknown(original, f"no one named {display_from_label(surname)} is known within "
                                           f"two years of {_span(first, last)}")
        words = label.split()
        if len(words) == 2 and _mangled_honorific(words[0]) and fold(words[1]) in self.people:
            resolved = self._by_surname(words[1], first, last, label)  # "R. GIBBS", "QMS. PSAKI"
            if resolved is not None:
                return self._slip(resolved, f"speaker label '{original}' looks like a misspelling of a "
                                            f"label for {resolved.name}")
        if surname_of(label) and " " not in surname:
            for near in self._near_surnames(surname):
                resolved = self._by_surname(near, first, last, label)
                if resolved is not None:
                    return self._slip(resolved, f"speaker label '{original}' looks like a misspelling of a "
                                                f"label for {resolved.name}")
        near = difflib.get_close_matches(label, self._all_labels(), n=1, cutoff=0.88)
        if near and near[0] != label:
            resolved = self.local(near[0], day, [], period) or self.archive(near[0], near[0], day, period)
            return Resolution(
                role=resolved.role, name=resolved.name, person=resolved.person,
                offices=resolved.offices, note_kind="label-typo", evidence=f"variant of '{near[0]}'",
                note=f"speaker label '{original}' looks like a misspelling of '{near[0]}'",
            )
        return self._unknown(original, "no full name in the title, header, text or registry")

    def _unknown(self, original: str, why: str) -> Resolution:
        return Resolution(name=display_from_label(original), note=f"unknown speaker label '{original}': {why}",
                          evidence="none: shown as printed")

    @staticmethod
    def _slip(resolved: Resolution, note: str) -> Resolution:
        return Resolution(name=resolved.name, person=resolved.person, offices=resolved.offices,
                          note_kind="label-typo", note=note, evidence=f"variant of {resolved.name}: {resolved.evidence}")

    def _by_surname(self, surname: str, first, last, label: str = "") -> Resolution | None:
        """The one person of that surname whose evidence lies near the span first..last; a
        registry's person before the rest (and even out of that period, when no one else
        of that surname is in it); None when there is none, or no clear one."""
        known = [c for c in self.people.get(fold(surname), {}).values()
                 if c.person is not None or not c.offices or any(_compatible(label, o) for o in c.offices)]
        candidates = [c for c in known if c.gap(first, last) <= SLACK]
        registered = [c for c in (candidates or known) if c.person is not None]
        candidates = registered or candidates  # a registry's person first; out of era only if no one is in it
        if not candidates:
            return None
        titles = set(label.split()[:-1]) - set(_GENDERED)
        titled = [c for c in candidates if titles & {w for o in c.offices for w in o.upper().replace(".", "").split()}]
        if len(titled) == 1:  # ADMIRAL ALLEN: the Allen stated as an admiral
            candidates = titled
        candidates.sort(key=lambda c: (c.gap(first, last), -c.count, c.name))
        best = candidates[0]
        if len(candidates) > 1:
            other = candidates[1]
            if not (best.gap(first, last) < other.gap(first, last) or best.count >= 3 * other.count):
                self.ambiguous = (best.name, other.name)
                return None  # two people, neither clearly meant
        evidence = f"by surname: {best.evidence}"
        if best.person is not None:
            return self._person(best.person, evidence)
        return Resolution(name=best.name, evidence=evidence)

    def _near_surnames(self, surname: str) -> list[str]:
        """Known surnames a slip of this one could be: one letter off, a letter swapped
        counting as one, and the same first letter; from eight letters on, two letters
        off. Only for surnames of six letters or more (`PRICE` is not `RICE`, `BAER` not
        `BADER`), and none when the surname is known itself."""
        folded = fold(surname)
        if folded in self.people or len(folded) < 6:
            return []
        if folded not in self._near:
            limit = 2 if len(folded) >= 8 else 1
            found = process.extract(folded, list(self.people), scorer=OSA.distance, score_cutoff=limit, limit=None)
            self._near[folded] = [near for near, _, _ in sorted(found, key=lambda f: (f[1], f[0]))
                                  if len(folded) >= 8 or near[0] == folded[0]]
        return self._near[folded]

    def _all_labels(self) -> list[str]:
        roles = ["QUESTION", "MODERATOR", "OPERATOR", "SENIOR ADMINISTRATION OFFICIAL", "INTERPRETER"]
        return sorted(self.known_labels | set(roles))

    def _registered(self, name: str) -> Person | None:
        """The registry's person whose name this is, or ends with ("... John Kirby")."""
        name = name.casefold()
        return next((p for p in self.registry.people
                     if name == p.name.casefold() or name.endswith(" " + p.name.casefold())), None)

    @staticmethod
    def _person(person: Person, evidence: str = "") -> Resolution:
        return Resolution(name=person.name, person=person, offices=tuple(o.title for o in person.offices),
                          evidence=evidence or person.source or "registry")


def _office_span(person: Person) -> tuple[dt.date | None, dt.date | None]:
    """The dates a registry's person held any office, or None for a bound not given."""
    if not person.offices:
        return None, None
    starts, ends = [o.start for o in person.offices], [o.end for o in person.offices]
    return (None if None in starts else min(starts)), (None if None in ends else max(ends))


def _span(first, last) -> str:
    if first is None:
        return "an undated briefing"
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


_GROUPS = {"DRS", "MESSRS", "MEMBERS", "MMES", "MESDAMES", "SENATORS", "SECRETARIES"}  # several people at once
_GENDERED = {"MR": "m", "MS": "f", "MRS": "f", "MISS": "f"}
_HEADS = {"PRESIDENT", "PRIME", "CHANCELLOR", "KING", "QUEEN", "EMIR", "PREMIER", "TAOISEACH"}


def _compatible(label: str, office: str | None) -> bool:
    """Whether a name mentioned with `office` before it can be the speaker of `label`:
    not `MS. JOHNSON` for "Prime Minister Boris Johnson", nor `MR.` for "Ms. ..."."""
    words = set(label.split())
    stated = set((office or "").upper().replace(".", "").split())
    ours = {_GENDERED[w] for w in words if w in _GENDERED}
    theirs = {_GENDERED[w] for w in stated if w in _GENDERED}
    if ours and theirs and ours != theirs:
        return False
    return not (stated & _HEADS) or bool(words & _HEADS)


_APPOSITION = r",\s+(?:who|the|our|a|an|[A-Z])"  # "Mike Hammer, who", "Bob Fenton, the White House's ..."


def introductions(labels: list[str], turns) -> list[tuple[str, str | None, str, int]]:
    """Names the text gives, each once: (name, office before it, "introduction" or
    "mention", the line of its turn). For the surnames of the transcript's own labels, an
    introduction hands over to the person ("I'll turn it over to Dr. Rochelle Walensky")
    in the turn before theirs, or is their own ("This is Kevin Munoz"); a mention
    elsewhere counts only with an office or honorific before it ("Secretary Xavier
    Becerra") or an apposition after it ("Mike Hammer, who ..."). For any other name,
    only a mention with an office before it or ", who" after it counts: evidence for
    other briefings' labels. A word the text also uses in lower case is never a given
    name ("Since Hammer")."""
    surnames = sorted({s for label in labels if (s := surname_of(normalise_label(label))) and " " not in s})
    texts = [turn.words if turn.words is not None else words_of(turn.paragraphs) for turn in turns]
    common = _LowerCase("\n".join(texts))
    # Each scan runs once over the whole text, not once a turn, and its hits go to their
    # turns: str.find over 50,000 words costs less than 20 calls for each of 300 turns.
    heard = _heard(texts, surnames)
    offices = _hits(texts, _OFFICE_LITERALS, "_")
    found: dict[tuple[str, str], tuple[str, str | None, str, int]] = {}
    for i, (turn, text) in enumerate(zip(turns, texts)):
        for surname in heard.get(i, ()):
            own = turn.label and surname_of(normalise_label(turn.label)) == surname
            nxt = turns[i + 1] if i + 1 < len(turns) else None
            handover = nxt is not None and nxt.label and surname_of(normalise_label(nxt.label)) == surname
            for name, office in names_in(text, surname, common):
                how = "introduction" if own or handover else "mention"
                if how == "mention" and office is None and not re.search(
                        re.escape(name) + _APPOSITION, text, re.IGNORECASE):
                    continue
                found.setdefault((name, how), (name, office, how, turn.line))
        for match in _strong_mentions(text, sorted(at for _, at in offices.get(i, ()))):
            # evidence for other briefings' labels
            office, given, surname = match.groupdict().get("office"), match.group("given"), match.group("surname")
            if given.lower() in common or surname.lower() in common or office_word(given.upper()) \
                    or office_word(surname.upper()):
                continue
            name = f"{given} {surname}"
            found.setdefault((name, "mention"), (name, office, "mention", turn.line))
    return sorted(found.values(), key=lambda m: (m[3], m[0]))


class _LowerCase:
    """The words a text uses in lower case, asked one by one (a handful per transcript):
    cheaper than listing every word of 50,000."""

    def __init__(self, text: str) -> None:
        self.text, self.known = text, {}

    def __contains__(self, word: str) -> bool:
        found = self.known.get(word)
        if found is None:
            found = self.known[word] = bool(word) and word.islower() and _whole_word(self.text, word)
        return found


def _whole_word(text: str, word: str) -> bool:
    """Whether `word` stands in `text` as a word of its own, not inside a longer one or a
    hyphenated compound (str.find, many times faster than a regular expression here)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not _joins(text[at - 1])) and (end == len(text) or not _joins(text[end])):
            return True
        at = text.find(word, at + 1)
    return False


def _joins(char: str) -> bool:
    return char.isalnum() or char in "_-'’"


def _heard(texts: list[str], surnames: list[str]) -> dict[int, list[str]]:
    """Which of `surnames` (upper case) each text says, in any case: the text's number ->
    those surnames, sorted."""
    # the lower case is as long as the text, so places keep: "İ" is the one letter whose
    # lower case is two
    hits = _hits([text.replace("İ", "I").lower() for text in texts], [s.lower() for s in surnames], "_-")
    return {i: sorted({word.upper() for word, _ in found}) for i, found in hits.items()}


def _hits(texts: list[str], words, joins: str) -> dict[int, list[tuple[str, int]]]:
    """Where each of `words` stands in `texts`, not inside a longer word (nor next to one
    of `joins`), by text: the text's number -> (word, its place in that text)."""
    joined = "\n".join(texts)
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    hits: dict[int, list[tuple[str, int]]] = {}
    for word in words:
        for at in _finds(joined, word):
            end = at + len(word)
            if word[0].isalnum() and at and (joined[at - 1].isalnum() or joined[at - 1] in joins):
                continue
            if word[-1].isalnum() and end < len(joined) and (joined[end].isalnum() or joined[end] in joins):
                continue
            turn = bisect.bisect_right(starts, at) - 1
            hits.setdefault(turn, []).append((word, at - starts[turn]))
    return hits


_OFFICE_LITERALS = ("Dr.", "Sen.", "Gov.", "Gen.", "Adm.", "Amb.", "Rep.", "Senator", "Secretary", "Ambassador",
                    "Director", "Administrator", "Coordinator", "Governor", "General", "Admiral", "Congressman",
                    "Congresswoman", "Representative", "Mayor", "Commissioner", "Envoy")
_OFFICES = "|".join(map(re.escape, _OFFICE_LITERALS))
_NAME = r"(?P<given>[A-Z][a-z]+)(?:\s+[A-Z]\.)?\s+(?P<surname>(?:Mc|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
# a name with an office before it, or ", who" after it: both parts required, so that a
# transcript's every pair of capitalised words is not a match to look at
_OFFICE_NAME = re.compile(rf"(?<!\w)(?P<office>{_OFFICES})\s+{_NAME}")
_NAME_WHO = re.compile(rf"\b{_NAME},\s+who\b")


def _strong_mentions(text: str, starts: list[int]) -> list[re.Match]:
    """The matches `_OFFICE_NAME.finditer(text)` and then `_NAME_WHO.finditer(text)` would
    give, where `starts` are the places of office words in `text`: matching only there, not
    trying twenty choices at every letter."""
    found, end = [], 0
    for at in starts:
        if at >= end and (match := _OFFICE_NAME.match(text, at)):
            found.append(match)
            end = match.end()
    if ", who" in text:
        found.extend(_NAME_WHO.finditer(text))
    return found


def _finds(text: str, word: str):
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


__all__ = ["Resolution", "Resolver", "introductions", "name_key", "names_in", "normalise_label", "role_for",
           "surname_of", "tidy_name"]
