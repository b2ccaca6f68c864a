"""The site model: utterance text, turn kinds and exchanges."""

from generator.link import link
from generator.model import TurnKind
from generator.parse import parse_transcript
from generator.registry import Registry


def briefing(text: str, path: str = "x.md"):
    site, _ = link([parse_transcript(path, text)], Registry())
    return site.briefings[0]


def test_markdown_text_is_words_without_syntax():
    b = briefing("---\ntitle: T\ndate: 2020-01-01\n---\n\n"
                 "MR. X: A *very* [good](javascript:x) point, <b>bold</b> &amp; more. (Laughter.)\n")
    assert b.utterances[0].text == "A very good point, bold & more."


def test_turns_know_their_kind_and_questions_start_exchanges():
    b = briefing("Press Briefing by Press Secretary Jay Carney\n\n"
                 "MR. CARNEY:  Good afternoon.\n\n"
                 "Q    First question?\n\n"
                 "Q    A follow-up?\n\n"
                 "MR. CARNEY:  An answer.\n\n"
                 "Q    Second question?\n\n"
                 "MR. CARNEY:  Another answer.\n", path="x.txt")
    kinds = [u.kind for u in b.utterances]
    assert kinds == [TurnKind.REMARKS, TurnKind.QUESTION, TurnKind.QUESTION, TurnKind.REMARKS,
                     TurnKind.QUESTION, TurnKind.REMARKS]
    assert [[u.index for u in x.utterances] for x in b.exchanges] == [[1], [2, 3, 4], [5, 6]]
    assert [x.question.index if x.question else None for x in b.exchanges] == [None, 2, 5]
    assert b.utterances[0].speaker.name == "Jay Carney"
