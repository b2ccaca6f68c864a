"""Who has the floor: the reporter each question is asked by, from the transcript's words.

A briefing says who asks in two ways: whoever runs the room calls on them ("The next
question will come from Karen DeYoung, Washington Post.", "Go ahead, Peter."), or they
introduce themselves ("My name is Talal Al-Haj from Al Arabiya"). (Labels that carry
the asker, `Q (Reuters):`, occur nowhere in the White House corpus and are not read
yet.) `askers` walks a transcript's turns once and gives each question
turn the reporter who holds the floor, with the turn that named them, or nothing.

Precision comes first: a wrong name is worse than none. So the floor passes, and the
next questions are nobody's until someone is named again, whenever

- someone is called on without a name ("Go ahead.", "Yes, ma'am.", "Sure."), unless it
  grants the holder's own request to follow up ("Can I follow up?" - "Go ahead.");
- the event is closed ("That concludes the press conference", "Thank you, everybody");
- in a moderated event (the moderator announces each question: "the next question will
  come from ..."), the question has been answered: a follow-up nobody was called for
  may be anyone's ("Can we have follow-up on this, please?");
- in a conversational one ("Go ahead, Peter"), a question after an answer opens with
  thanks ("Thank you, Jen."), as a reporter newly called on does.

A remark of fewer than ANSWER_WORDS words is no answer ("Your mike is not working.").

A first name alone ("Go ahead, Peter.") is kept as `called` ("called on: Peter"); it
names a reporter only where the same briefing gives one full name with that first name
for a reporter (a call-out or a self-introduction).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection, Sequence
from typing import NamedTuple

from generator.identity import _LowerCase, fold, name_key, office_word, role_for, surname_of
from generator.model import Asker, Briefing, Outlet, Reporter, TurnKind, slugify
from generator.registry import normalise_label

ANSWER_WORDS = 20  # a remark this long, after the question, answers it
_TAIL = 600  # characters at the end of a turn that a call-out is looked for in

_W = r"(?:Mc|Mac|O['’]|D['’])?[A-Z][\w'’-]*\w"  # a capitalised word: "DeYoung", "Al-Haj", "O'Keefe"
_P = r"(?:de|da|del|van|von|der|al|el|bin|le|la|du|dos)"  # particles inside a name
_I = r"[A-Z]\."  # a middle initial
# a name: two to four words, one line; no full stop but an initial's ("Kelly O'Donnell", "Gene B. Sperling")
_NAME = rf"(?P<name>{_W}(?:[ \u00a0]+(?:{_P}[ \u00a0]+|{_I}[ \u00a0]+)?{_W}){{1,3}})"
# a first name, as called: "Peter", "Jon-Christopher", "M.J.", "JJ", "Kelly O."
_FIRST = r"(?P<first>[A-Z][a-z][\w'’-]*(?:[ ][A-Z]\.)?|[A-Z]\.[A-Z]\.|[A-Z]{2}(?![\w]))"
# An outlet: capitalised words, with "of", "the", "&" inside ("Al Arabiya", "RIA Novosti",
# "The Washington Post", "Voice of America", "ABC News", "U.S. News"). It ends at a
# lower-case word or punctuation: "Al Arabiya and Al Hadith news channels" is Al Arabiya.
_OW = r"(?:(?:[A-Z]\.){2,}|[A-Z0-9][\w&'’-]*[\w&]|[A-Z])"
_OUTLET = rf"(?P<outlet>(?:The[ \u00a0]+)?{_OW}(?:[ \u00a0]+(?:(?:of|the|de|for|&)[ \u00a0]+)*{_OW})*)"

_S = r"[ \u00a0]+"  # a space within a sentence
_OUT = rf"(?:,?{_S}(?:from|of|with|at){_S}(?:the{_S})?|,{_S}(?:the{_S})?){_OUTLET}"  # ", from Al Arabiya", " with the AP"
_WHO = rf"(?:{_NAME}|{_FIRST})"
# The sentence that gives the floor, whole ("^...$"), each family a pattern: a name (two
# to four words) or a first name, maybe an outlet.
_CALLS = [re.compile(p) for p in (
    # "The first question will come from Talal Al-Haj, from Al Arabiya." "Our next question
    # will go to Aamer with the AP." "Our next question will come from the line of X of Y."
    (rf"^(?:(?:Thank{_S}you|Thanks|Okay|All{_S}right|Great)[.,!]?{_S})?(?i:(?:the|our|and{_S}our|and{_S}the){_S}"
     rf"(?:first|next|last|final|following|second|third|fourth|fifth)(?:{_S}and{_S}final)?{_S}question"
     rf"(?:{_S}(?:tonight|today|this{_S}(?:morning|afternoon|evening)))?{_S}"
     rf"(?:will{_S}(?:come|go)|is{_S}going{_S}to{_S}(?:come|go)|comes|goes|is|will{_S}be){_S}(?:from|to){_S}"
     rf"(?:the{_S}line{_S}of{_S})?){_WHO}(?:{_OUT})?[ ]?[.,;:]?$"),
    # "Next we'll go to Kristen Welker at NBC." "Let's go to Sheryl Stolberg at the New York
    # Times." "I'll now turn it over to Emma Dumain at E&E." "Next up we'll go to the line of X."
    (rf"^(?:(?:Thank{_S}you|Thanks|Okay|All{_S}right|Great|And)[.,!]?{_S})?(?:(?i:next|next{_S}up|for{_S}the{_S}next"
     rf"{_S}question|and{_S}next|and{_S}then|finally|lastly)[,]?{_S})?(?i:let's|let’s|let{_S}me|we'll|we’ll|we{_S}will|"
     rf"I'll|I’ll|I{_S}will|I'm{_S}going{_S}to|I’m{_S}going{_S}to|we're{_S}going{_S}to|we’re{_S}going{_S}to)"
     rf"(?:{_S}now)?{_S}(?i:go|turn{_S}it{_S}over|turn){_S}(?i:to){_S}(?i:the{_S}line{_S}of{_S})?{_WHO}(?:{_OUT})?[ ]?[.,]?$"),
    # "Next we have Jennifer Jacobs, Bloomberg News." "We have Jennifer Jacobs, Bloomberg News."
    rf"^(?:Next,?{_S})?[Ww]e{_S}have{_S}{_WHO}(?:{_OUT})?[ ]?[.,]?$",
    # "Go ahead, Peter." "Yes, Jacqui." "Go ahead, Peter Alexander." "Okay, Kristen, NBC."
    (rf"^(?:(?:Okay|OK|All{_S}right|Alright|Sure|Yes|Yeah)[.,]{_S})?(?:Go{_S}ahead|Yes|Yeah|Okay|OK|Sure|Please|Hi|Right)"
     rf",?{_S}{_WHO}(?:{_OUT})?(?:,{_S}go{_S}ahead)?[.?!]?$"),
    # "Peter, go ahead." "Steve Holland, Reuters, go ahead." "Mary Bruce, ABC." "Julie Pace of
    # the Associated Press has the final question." "Peter Baker." "Kelly O’Donnell, NBC."
    (rf"^(?:(?:Okay|OK|All{_S}right|Alright|Sure|Yes|Yeah|And)[.,]?{_S})?{_WHO}(?:{_OUT})?(?:,{_S}(?:go{_S}ahead|you're"
     rf"{_S}up|you’re{_S}up|please|you're{_S}open|you’re{_S}open|your{_S}line{_S}is{_S}open)|{_S}has{_S}the{_S}"
     rf"(?:final|last|next){_S}question)?[.?!]?$"),
    # a queue: "Sam, and then I'll go to Lester." is Sam's floor
    rf"^{_FIRST},?{_S}and{_S}then\b.*$",
    # by surname: "Mr. Knoller." "Yes, Ms. Rodriguez."
    rf"^(?:(?:Yes|Go{_S}ahead|Okay|Sure),?{_S})?(?P<first>(?:Mr|Ms|Mrs)\.{_S}{_W})[.?!]?$",
)]
# What may follow the call in the same paragraph: "You should be able to unmute yourself."
_AFTER_CALL = re.compile(
    r"^(?i:you\s+should\s+(?:be\s+able\s+to\s+unmute|now\s+be\s+unmuted|be\s+unmuted)|please,?\s+go\s+ahead"
    r"|go\s+ahead|you'?r?e?\s+open|you’re\s+open|your\s+line\s+is\s+open|please\s+unmute|if\s+you\s+could)"
)
_VOCATIVE = re.compile(rf"^{_FIRST},{_S}")
_SENTENCE = re.compile(r"[.?!] +(?=[A-Z\"“(])")  # a sentence ends here, unless after an abbreviation:
_NOT_AN_END = re.compile(r"(?:\bMr|\bMs|\bDr|Mrs|\b[A-Z])$")  # "Mr. Knoller", "Gene B. Sperling"
_CLOSE_WORDS = ("conclud", "that ends", "all the time", "everybody", "thank you all")
_INTRO_WORDS = ("my name", "i'm", "i’m", "i am", "this is")
# Called on with no name: the floor passes to someone we cannot name.
_BARE = re.compile(
    r"^(?:(?:Yes|Yeah|Yep|Okay|OK|Sure|All\s+right|Right|Thank\s+you|Thanks)(?:,\s+(?:sir|ma'am|ma’am))?[.,!]?\s+)*"
    r"(?:go\s+ahead|yes|yeah|yep|sure|please|yes,\s+(?:sir|ma'am|ma’am)|yeah,\s+(?:sir|ma'am|ma’am)|in\s+the\s+back"
    r"|right\s+here|next\s+question|last\s+question|one\s+more|(?:next|last|final)\s+one|go\s+ahead,\s+(?:sir|ma'am|ma’am|please)"
    r"|who\s+else|anybody\s+else|anyone\s+else|(?:yes|yeah),\s+go\s+ahead|okay|all\s+right)[.?!]?$",
    re.IGNORECASE,
)
_CLOSE = re.compile(
    r"\b(?:that\s+concludes|this\s+concludes|that\s+ends|that's\s+all\s+the\s+time|that’s\s+all\s+the\s+time"
    r"|thank\s+you(?:\s+all)?,?\s+(?:very\s+much,?\s+)?everybody|thanks,?\s+everybody|thank\s+you\s+all\s+very)\b",
    re.IGNORECASE,
)
# A reporter's own introduction, near the start of their question: "My name is Talal
# Al-Haj from Al Arabiya", "Hi, Kaitlan Collins with CNN."
_MY_NAME = re.compile(rf"\b(?i:my\s+name\s+is|I'm|I’m|I\s+am|this\s+is)\s+{_NAME}\s*(?:,\s*|\s+)(?:from|with|of)\s+{_OUTLET}")
_OPENING = re.compile(
    rf"^(?:(?:Hi|Hello|Yes|Thank\s+you(?:\s+very\s+much)?|Thanks)(?:,\s+{_W}(?:\s+{_W})?)?[.,!]?\s+)?"
    rf"{_NAME},?\s+(?:with|from)\s+{_OUTLET}[.,]"
)
# ... or only a first name, which still says the one called is not the one asking: "Let's go
# to Tommy Christopher." - "Oh, hi. It's Liz."
_OPENING_FIRST = re.compile(
    rf"^(?:(?:Oh|Yes|Sorry)[.,!]?\s+)?(?:(?i:hi|hello|hey)(?:\s+there)?[.,!]?\s+)?(?i:it's|it’s|this\s+is|I'm|I’m)\s+{_FIRST}"
    rf"(?:\s+(?:from|with|of)\s+{_OUTLET})?[.,!]"
)
_THANKS = re.compile(r"^(?:thank\s+you|thanks)\b", re.IGNORECASE)
_FOLLOW = re.compile(r"\bfollow[- ]?up|\bone\s+more\b|\bquick\s+follow", re.IGNORECASE)

# Capitalised words that end a turn but are no first name: "Go ahead, Please."
_NOT_FIRST = {
    "Yes", "Yeah", "Okay", "Sure", "Please", "Right", "Thank", "Thanks", "Sir", "Ma'am", "Ma’am", "All", "And",
    "So", "Well", "Go", "Now", "Next", "Last", "One", "There", "Here", "Back", "Everybody", "Everyone", "Guys",
    "Folks", "Again", "Anybody", "Anyone", "Somebody", "Someone", "Front", "Middle", "Mister", "Miss", "Mr",
    "Ms", "Mrs", "Dr", "Secretary", "President", "General", "Admiral", "Senator", "Ambassador", "Director",
    "Governor", "Mayor", "Minister", "Chairman", "Leader", "Friends", "Gentlemen", "Ladies", "Lady", "Man",
    "Woman", "Guy", "You", "Him", "Her", "Them", "It", "That", "This", "Fine", "Good", "Great", "No", "Not",
    "Sorry", "Absolutely", "Exactly", "Correct", "Nothing", "Nope", "Anyway", "Indeed", "Certainly", "Hello", "Hi", "Hey", "Oh", "Ah", "Um", "Uh", "Look", "Listen", "Reporter", "Reporters", "Question", "Questions", "Mic", "Microphone", "Wait",
}
_NOT_NAME_WORDS = {w.upper() for w in _NOT_FIRST} | {
    "THE", "OF", "AND", "WHITE", "HOUSE", "PRESS", "SECRETARY", "QUESTION", "QUESTIONS", "NEWS", "TONIGHT",
    "TODAY", "ACTUALLY", "VERY", "MUCH", "IT'S", "IT’S", "I'M", "I’M", "THIS", "HI", "HELLO", "HEY", "OH",
}


class Asked(NamedTuple):
    """Who asks one question turn (0-based `turn`): a reporter's `name` and `outlet` as
    the transcript gives them, or only the first name they were `called` by; `evidence`
    is the turn that named them, `how` the kind of evidence."""

    turn: int
    name: str | None
    outlet: str | None
    called: str | None
    evidence: int
    how: str  # "call-out", "self-introduction", "first-name call-out"


class _Holder(NamedTuple):
    name: str | None
    outlet: str | None
    called: str | None
    evidence: int
    how: str
    moderated: bool  # named by a moderator's announcement: one question, then the answer


@functools.lru_cache(maxsize=4096)
def asks(label: str | None) -> bool:
    """Whether a turn with this label is a reporter's question (`Q`, `QUESTION`)."""
    role = role_for(normalise_label(label)) if label else None
    return role is not None and role.kind is TurnKind.QUESTION


def askers(texts: Sequence[str], questions: Sequence[bool], crosstalk: Sequence[bool] = (),
           officials: Collection[str] = ()) -> list[Asked]:
    """Each question turn's asker, where the transcript says who: `texts` are the
    turns' words, `questions` whether each turn is a question (by its label),
    `crosstalk` whether it holds a (Cross-talk) mark, `officials` the folded surnames of
    the transcript's other labels: "I'm going to turn it over to Jen Psaki" calls on no
    reporter."""
    found: list[Asked] = []
    holder: _Holder | None = None
    asked = answered = False
    last_question = ""
    common = _LowerCase("\n".join(texts))
    for i, (words, question) in enumerate(zip(texts, questions)):
        text = " ".join(words[:_TAIL].split()) if question else ""  # a question's opening
        if i < len(crosstalk) and crosstalk[i]:
            holder = None  # people talk over each other: whoever speaks next is anyone
        if question:
            if text and i and questions[i - 1] and texts[i - 1].strip() and holder is not None \
                    and found and found[-1].turn == i - 1:
                holder = None  # a new label with no one between: someone else speaks
            intro = self_introduction(text, common)
            if intro is not None and fold(intro[0].split()[-1]) in officials:
                intro = None
            if intro is not None:  # one question, then the answer: a reporter's own introduction takes the floor once
                holder, asked, answered = _Holder(*intro, None, i, "self-introduction", True), False, False
            elif (first := first_name_introduction(text)) is not None and (
                    holder is None or first[0] not in (holder.called, (holder.name or "").partition(" ")[0])):
                holder, asked, answered = _Holder(None, first[1], first[0], i, "self-introduction", False), False, False
            elif holder is not None and answered and (holder.moderated or _THANKS.match(text)):
                holder = None  # a follow-up nobody was called for; a new reporter thanking for the floor
            if holder is not None:
                found.append(Asked(i, holder.name, holder.outlet, holder.called, holder.evidence, holder.how))
                asked = True
            last_question = text
            continue
        call = call_out(words, common)
        if call == "close":
            holder = None
        elif call == "bare":
            granted = holder is not None and i and questions[i - 1] and _FOLLOW.search(last_question) \
                and len(last_question.split()) < 15 and len(words.split(None, 5)) <= 4  # "Can I follow up?" "Sure."
            if not granted:
                holder = None
            answered = False
        elif call is not None and call[0] is not None and fold(call[0].split()[-1]) in officials:
            holder = None  # the floor goes to an official ("turn it over to Jen Psaki"), not a reporter
        elif call is not None:
            name, outlet, first, moderated = call
            how = "first-name call-out" if name is None else "call-out"
            holder, asked, answered = _Holder(name, outlet, first, i, how, moderated), False, False
        elif holder is not None and asked and len(words.split(None, ANSWER_WORDS)) >= ANSWER_WORDS:
            answered = True
    return _named_in_briefing(found)


def officials(labels: Sequence[str]) -> set[str]:
    """The folded surnames of a transcript's labels that are not questions' (`MS. PSAKI`):
    names the floor passes to that are no reporter's."""
    found = set()
    for label in labels:
        if not asks(label) and (surname := surname_of(normalise_label(label))):
            found.add(fold(surname.split()[-1]))
    return found


def call_out(text: str, common=frozenset()):
    """What a turn by whoever runs the floor says of it: "close", "bare" (someone called
    on, no name), (name, outlet, first name, moderated), or None. The call is the last
    sentence of the turn's last paragraph, or the one before a cue such as "You should
    be able to unmute yourself"."""
    text = text.rstrip()
    paragraph = text[text.rfind("\n\n") + 2:] if "\n\n" in text[-_TAIL:] else text
    whole = len(paragraph) <= _TAIL  # a long paragraph is read at its end only
    paragraph = " ".join((paragraph if whole else paragraph[-_TAIL:]).split())
    sentences = _last_sentences(paragraph)
    while len(sentences) > 1 and _AFTER_CALL.match(sentences[-1]):
        sentences.pop()
    last = sentences[-1].strip() if sentences else ""
    if not last:
        return None
    for n, pattern in enumerate(_CALLS):
        if (m := pattern.match(last)) is None:
            continue
        groups = m.groupdict()
        name, first, outlet = groups.get("name"), groups.get("first"), _outlet(groups.get("outlet"))
        moderated = n < 3 or outlet is not None  # announced by a moderator, or read from a list
        if name and _a_name(name, common) and (n != 4 or outlet is not None):
            # "Peter Baker." alone could be anything capitalised ("Happy New Year."): only
            # with an outlet ("Mary Bruce, ABC.")
            return tidy(name), outlet, None, moderated
        if first and first not in _NOT_FIRST and (n != 4 or len(paragraph.split()) <= 6):
            return None, outlet, first, moderated
    # "Sam, I did promise you one. And then Ann." "Ann, last one.": a short last paragraph
    # that opens by naming someone gives them the floor
    if whole and (m := _VOCATIVE.match(paragraph)) and len(paragraph.split()) <= 15 and m["first"] not in _NOT_FIRST:
        return None, None, m["first"], False
    if _BARE.match(last):
        return "bare"
    low = paragraph.lower()
    if any(word in low for word in _CLOSE_WORDS) and _CLOSE.search(paragraph):
        return "close"
    return None


def _last_sentences(paragraph: str, count: int = 3) -> list[str]:
    """The paragraph's last `count` sentences (a full stop after "Mr" or an initial ends
    none)."""
    ends = [m.start() + 1 for m in _SENTENCE.finditer(paragraph) if not _abbreviation(paragraph, m.start())]
    starts = [0, *(end + 1 for end in ends)]
    cuts = [*ends, len(paragraph)]
    return [paragraph[a:b].strip() for a, b in zip(starts, cuts)][-count:]


def _abbreviation(text: str, end: int) -> bool:
    """Whether the word before `end` (a full stop) is "Mr", "Ms", "Mrs", "Dr" or an initial."""
    words = text[max(0, end - 12):end].rsplit(None, 1)
    return bool(words) and _NOT_AN_END.search(words[-1]) is not None


def self_introduction(text: str, common=frozenset()) -> tuple[str, str | None] | None:
    """(name, outlet) a question turn opens with: "My name is X from Y", "Hi, X with Y." """
    head = text[:400]
    low = head.lower()
    for pattern in (_MY_NAME, _OPENING) if any(word in low for word in _INTRO_WORDS) else (_OPENING,):
        if (m := pattern.search(head)) and _a_name(m["name"], common):
            return tidy(m["name"]), _outlet(m["outlet"])
    return None


def first_name_introduction(text: str) -> tuple[str, str | None] | None:
    """(first name, outlet) a question turn opens with: "Oh, hi. It's Liz." """
    if (m := _OPENING_FIRST.match(text)) and m["first"] not in _NOT_FIRST:
        return m["first"], _outlet(m["outlet"])
    return None


def _a_name(name: str, common=frozenset()) -> bool:
    """Two to four words, none an office or a word the transcript also writes in lower
    case as its last ("Happy New Year", "Wall Street", "Governor Jindal")."""
    words = name.split()
    return 2 <= len(words) <= 4 and not any(w.strip(".,").upper() in _NOT_NAME_WORDS or office_word(
        w.strip(".,").upper()) for w in words) and words[-1].lower() not in common


def _outlet(outlet: str | None) -> str | None:
    if not outlet:
        return None
    outlet = outlet.strip(" .,")
    return outlet or None


def tidy(name: str) -> str:
    return " ".join(name.split()).strip(" .,")


def _named_in_briefing(found: list[Asked]) -> list[Asked]:
    """A first-name call-out names the reporter the same briefing gives in full with that
    first name, when it gives exactly one."""
    full: dict[str, set[tuple[str, str | None]]] = {}
    for a in found:
        if a.name is not None:
            full.setdefault(a.name.split()[0], set()).add((a.name, a.outlet))
    named = []
    for a in found:
        if a.name is None and a.called is not None:
            people = {name for name, _ in full.get(a.called, ())}
            if len(people) == 1:
                (name,) = people
                outlets = {o for n, o in full[a.called] if o}
                a = a._replace(name=name, outlet=min(outlets) if len(outlets) == 1 else None)
        named.append(a)
    return named


# Outlets printed in more than one way: the folded form (no "the", no dots) -> one key.
OUTLET_ALIASES = {
    "ap": "associated press", "the associated press": "associated press", "afp": "agence france-presse",
    "agence france presse": "agence france-presse", "wsj": "wall street journal", "nyt": "new york times",
    "ny times": "new york times", "voa": "voice of america", "npr": "national public radio",
    "bbc news": "bbc", "cnn international": "cnn", "nbc news": "nbc", "abc news": "abc", "cbs news": "cbs",
    "fox news": "fox", "fox news channel": "fox", "bloomberg news": "bloomberg", "reuters news": "reuters",
}


def outlet_key(name: str) -> str:
    """What makes two printed outlets one: case, accents, dots, a leading "The", and the
    aliases above ("AP" is the Associated Press, "NBC News" NBC)."""
    key = " ".join(fold(name).replace(".", "").replace("’", "'").split())
    key = key.removeprefix("the ")
    return OUTLET_ALIASES.get(key, key)


def press(briefings: Sequence[Briefing]) -> tuple[list[Reporter], list[Outlet]]:
    """Every reporter and outlet the briefings' transcripts name (RawTranscript.asked),
    folded like speakers (identity.name_key: "Jeff Mason" is "Jeffrey Mason"); sets each
    briefing's `askers`. Briefings in path order; the printed form of a name or an
    outlet is the one most questions give (then the first in order of names)."""
    reporters: dict[tuple[str, str], list] = {}  # name key -> [forms, outlets, asked, evidence]
    outlets: dict[str, list] = {}  # outlet key -> [forms, reporter keys, asked]
    for briefing in briefings:
        raw = briefing.raw
        for asked in (raw.asked if raw is not None else ()):
            asked = Asked(*asked)
            key = name_key(asked.name) if asked.name is not None else None
            if key is not None:
                entry = reporters.setdefault(key, [Counter(), Counter(), {}, Counter()])
                entry[0][asked.name] += 1
                entry[2].setdefault(briefing, []).append(asked.turn)
                entry[3][asked.how] += 1
            if asked.outlet:  # an outlet's questions count, named reporter or not ("Aamer with the AP")
                okey = outlet_key(asked.outlet)
                place = outlets.setdefault(okey, [Counter(), Counter(), {}])
                place[0][asked.outlet] += 1
                place[2].setdefault(briefing, []).append(asked.turn)
                if key is not None:
                    entry[1][okey] += 1
                    place[1][key] += 1
    made_outlets: dict[str, Outlet] = {}
    taken: set[str] = set()
    for okey in sorted(outlets):
        forms, _, asked = outlets[okey]
        name = _most(forms)
        made_outlets[okey] = Outlet(_free(slugify(name, "outlet"), taken), name,
                                    asked=[(b, tuple(turns)) for b, turns in asked.items()],
                                    variants=set(forms) - {name})
    made: dict[tuple[str, str], Reporter] = {}
    taken = set()
    for key in sorted(reporters, key=lambda k: (_most(reporters[k][0]), k)):
        forms, places, asked, evidence = reporters[key]
        name = _most(forms)
        made[key] = Reporter(_free(slugify(name, "reporter"), taken), name,
                             outlets=[made_outlets[o] for o, _ in sorted(places.items(), key=lambda p: (-p[1], p[0]))],
                             asked=[(b, tuple(turns)) for b, turns in asked.items()], evidence=dict(evidence),
                             variants=set(forms) - {name})
    for okey, (_, keys, _) in outlets.items():
        made_outlets[okey].reporters = [made[k] for k, _ in sorted(keys.items(), key=lambda p: (-p[1], made[p[0]].name))]
    for briefing in briefings:
        raw = briefing.raw
        found = {}
        for asked in (raw.asked if raw is not None else ()):
            asked = Asked(*asked)
            reporter = made[name_key(asked.name)] if asked.name is not None else None
            outlet = made_outlets[outlet_key(asked.outlet)] if asked.outlet else None
            found[asked.turn] = Asker(reporter, outlet, asked.called, asked.evidence + 1, asked.how)
        briefing.askers = found
    return (sorted(made.values(), key=lambda r: (r.name.lower(), r.slug)),
            sorted(made_outlets.values(), key=lambda o: (o.name.lower(), o.slug)))


def _most(forms: Counter) -> str:
    return min(forms, key=lambda form: (-forms[form], form))


def _free(slug: str, taken: set[str]) -> str:
    """The slug, or with -2, -3 when taken."""
    found, n = slug, 1
    while found in taken:
        n += 1
        found = f"{slug}-{n}"
    taken.add(found)
    return found


__all__ = ["ANSWER_WORDS", "OUTLET_ALIASES", "Asked", "askers", "asks", "call_out", "outlet_key", "press", "self_introduction"]
