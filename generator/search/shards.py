"""Postings for the whole corpus, encoded per term and packed into prefix shards."""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate
from operator import sub

from generator.export import html_safe
from generator.search.analyse import FIELDS, FieldTerms

NFIELDS = len(FIELDS)


class Postings:
    """Per term, per field: flat int arrays [ref, tf, field length, ...] in ref order,
    plus the sum of each field's lengths and the number of documents. Added field by
    field (a dict of terms for each: the inner loop of the index's analysis, a fifth
    faster than one dict of [text, speaker, title] lists), read as `terms`."""

    def __init__(self) -> None:
        self._fields: list[dict[str, array]] = [{} for _ in range(NFIELDS)]
        self._terms: dict[str, list[array]] | None = None
        self.length_sums = [0] * NFIELDS
        self.count = 0

    def add(self, ref: int, fields: Sequence[FieldTerms]) -> None:
        self.count += 1
        self._terms = None
        for i, (mine, field) in enumerate(zip(self._fields, fields)):
            length = field.length
            self.length_sums[i] += length
            get = mine.get
            for term, tf in field.frequencies.items():
                flat = get(term)
                if flat is None:
                    flat = mine[term] = array("i")
                flat.extend((ref, tf, length))

    def add_same(self, refs: array, i: int, field: FieldTerms) -> None:
        """Field `i` of documents `refs` (ascending, after every ref added so far), all the
        same: a briefing's title in each of its turns, added in one go."""
        self._terms = None
        self.length_sums[i] += field.length * len(refs)
        mine, length = self._fields[i], field.length
        for term, tf in field.frequencies.items():
            flat = mine.get(term)
            if flat is None:
                flat = mine[term] = array("i")
            block = array("i", (0, tf, length)) * len(refs)
            block[0::3] = refs
            flat.extend(block)

    @property
    def terms(self) -> dict[str, list[array]]:
        """Term -> one flat list per field (empty where the term is not in the field)."""
        if self._terms is None:
            terms: dict[str, list[array]] = {}
            for i, mine in enumerate(self._fields):
                for term, flat in mine.items():
                    lists = terms.get(term)
                    if lists is None:
                        lists = terms[term] = [array("i") for _ in range(NFIELDS)]
                    lists[i] = flat
            self._terms = terms
        return self._terms


Field = tuple[Sequence[int], Sequence[int], Sequence[int]]  # refs ascending, tfs, field lengths


def split_field(flat: array) -> Field:
    """A Postings field list [ref, tf, length, ...] as three columns."""
    return flat[0::3], flat[1::3], flat[2::3]


def encode_term(term: str, fields: Sequence[Field]) -> str:
    """One term's JSON entry: [term, df, field...] where each field is [ref deltas,
    term frequencies ([] when all 1), field lengths], or 0 when the term is not in it.
    `df` counts (document, field) pairs, as lunr.idf does."""
    return encode_marked(term, fields)[0]


def encode_marked(term: str, fields: Sequence[Field]) -> tuple[str, Marks | None]:
    """encode_term's entry, and its marks (see respell): a long field's columns are
    encoded a stretch of MARK_EVERY postings at a time, which gives where each starts."""
    df = 0
    parts, marks = [], []
    for refs, tfs, lengths in fields:
        df += len(refs)
        if not refs:
            parts.append("0")
            marks.append(None)
            continue
        deltas = [refs[0], *map(sub, refs[1:], refs[:-1])]
        columns = (deltas, None if tfs.count(1) == len(tfs) else tfs, lengths)
        if len(refs) < 2 * MARK_EVERY:
            texts = [_ints(column) if column is not None else "" for column in columns]
            marks.append(None)
        else:
            stretches = [[_ints(column[i:i + MARK_EVERY]) for i in range(0, len(refs), MARK_EVERY)]
                         if column is not None else None for column in columns]
            field_marks, offsets = array("q"), [0, 0, 0]
            for k in range(1, len(stretches[0])):
                for c, texts in enumerate(stretches):
                    if texts is not None:  # the stretch before, and its comma
                        offsets[c] += len(texts[k - 1]) + 1
                field_marks.extend((k * MARK_EVERY, refs[k * MARK_EVERY - 1], *offsets))
            texts = [",".join(t) if t is not None else "" for t in stretches]
            marks.append(field_marks)
        parts.append(f"[[{texts[0]}],[{texts[1]}],[{texts[2]}]]")
    entry = f"[{term_json(term)},{df},{','.join(parts)}]"
    return entry, (tuple(marks) if any(m is not None for m in marks) else None)


def term_json(term: str) -> str:
    """A term as its entry writes it."""
    return html_safe(json.dumps(term, ensure_ascii=False))


MARK_EVERY = 128  # postings between marks in a long field of an entry
MARK = 5  # ints per mark: posting index, the ref before it, and where it starts in each column
Marks = tuple  # per field: array("q") of marks, or None (a short field)
_ORIGIN = (0, -1, 0, 0, 0)  # the mark every field has without keeping it: its first posting


Pieces = list  # bytes-like pieces that, joined, are an entry (or a file): long ones are views, not copies


def joined(data: bytes | Pieces) -> bytes:
    """Bytes, from bytes or from pieces."""
    return data if isinstance(data, bytes) else b"".join(data)


def respell(entry: bytes, removed: Sequence[tuple[int, int]], added: Sequence[array] | None,
            marks: Marks | None = None) -> tuple[Pieces | None, Marks | None]:
    """The entry encode_term would make (UTF-8 encoded) of `entry`'s postings without the
    refs in the `removed` ranges and with `added` (a Postings field list per field), as
    pieces to be joined or written out in turn, or None when no posting is left; and the
    marks of the new entry. It works on the columns' text: only ref deltas are read as
    numbers, and what lies outside the changed refs is passed on as views of `entry`, not
    copied. A long field's `marks` (every MARK_EVERY postings: where a posting starts in
    each column, and the ref before it) let it read only the stretch between the marks
    around the change, so a common term's long list costs nothing but its bytes."""
    end = _head_end(entry)
    head = entry[1:end]  # the term's JSON, as written
    pos = entry.index(b",", end + 1) + 1  # past the df
    df = int(entry[end + 1:pos - 1])  # kept up to date by each field's change in postings
    view = memoryview(entry)
    pieces, new_marks = [b"[", head, b",", b""], []
    for f in range(NFIELDS):
        if entry[pos] == _ZERO:
            columns, pos = None, pos + 1
        else:
            a = pos + 2
            b = entry.index(b"]", a)
            c = entry.index(b"]", b + 3)
            d = entry.index(b"]", c + 3)
            columns, pos = (view[a:b], view[b + 3:c], view[c + 3:d]), d + 2
        pos += 1  # the comma before the next field, or the closing bracket
        field_added = split_field(added[f]) if added else None
        field_marks = marks[f] if marks else None
        if columns is not None and field_marks:
            parts, change, kept = _respell_between_marks(columns, field_marks, removed, field_added)
        else:
            text, change, kept = _respell_field(columns, removed, field_added)
            parts = [text]
        df += change
        pieces.append(b",")
        pieces += parts
        new_marks.append(kept)
    if df == 0:
        return None, None
    pieces[3] = b"%d" % df
    pieces.append(b"]")
    return pieces, (tuple(new_marks) if any(m is not None for m in new_marks) else None)


def marks_of(entry: bytes) -> Marks | None:
    """The marks of an entry as encoded afresh (None when no field is long)."""
    _, marks = respell(entry, (), None)
    return marks


_ZERO, _BACKSLASH = ord("0"), ord("\\")
_ALL_ONES = re.compile(rb"1(?:,1)*")


def _head_end(entry: bytes) -> int:
    """Where the term's JSON string, which opens the entry after its bracket, ends: past
    the first quote that an even number of backslashes comes before."""
    i = 2
    while True:
        i = entry.index(b'"', i)
        j = i
        while entry[j - 1] == _BACKSLASH:
            j -= 1
        if (i - j) % 2 == 0:
            return i + 1
        i += 1


def _respell_field(columns: tuple[memoryview, memoryview, memoryview] | None, removed: Sequence[tuple[int, int]],
                   added: Field | None) -> tuple[bytes, int, array | None]:
    """A field's new text, how many postings it gained (or lost), and its marks, every
    column read whole."""
    if columns is None:
        refs: list[int] = []
        deltas: list[bytes] = []
        tfs: list[bytes] | None = None
        lengths: list[bytes] = []
    else:
        delta_text, tf_text, length_text = (bytes(column) for column in columns)
        deltas = delta_text.split(b",")
        refs = list(accumulate(map(int, deltas)))
        tfs = tf_text.split(b",") if tf_text else None  # None: every frequency is 1
        lengths = length_text.split(b",")
    before = len(refs)
    tfs = _edit(refs, deltas, tfs, lengths, 0, removed, added)
    if not refs:
        return b"0", -before, None
    if tfs is not None and tfs.count(b"1") == len(tfs):
        tfs = None
    marks = _marks(refs, deltas, tfs, lengths, 0, _ORIGIN) if len(refs) >= 2 * MARK_EVERY else None
    tf_text = b"" if tfs is None else b",".join(tfs)
    return b"[[%b],[%b],[%b]]" % (b",".join(deltas), tf_text, b",".join(lengths)), len(refs) - before, marks


def _respell_between_marks(columns: tuple[memoryview, memoryview, memoryview], marks: array,
                           removed: Sequence[tuple[int, int]], added: Field | None,
                           ) -> tuple[Pieces, int, array | None]:
    """A long field's new text (in pieces, to be joined), how many postings it gained (or lost), and its marks,
    reading only the postings between the mark before the first changed ref and the
    mark after the last: a posting's delta depends on the posting before it only, so
    those outside stay as they are (and are not even counted)."""
    span = _changed_span(removed, added)
    if span is None:
        return [b"[[", columns[0], b"],[", columns[1], b"],[", columns[2], b"]]"], 0, marks
    points = [_ORIGIN] + [tuple(marks[i:i + MARK]) for i in range(0, len(marks), MARK)]
    texts: list[memoryview | bytes | None] = list(columns)
    if not texts[1]:  # every frequency is 1: no column, unless frequencies above 1 come in
        texts[1] = None
        if added and any(tf != 1 for tf in added[1]):
            texts[1] = b",".join([b"1"] * (bytes(columns[0]).count(b",") + 1))
            points = [(p[0], p[1], p[2], 2 * p[0], p[4]) for p in points]
    befores = [p[1] for p in points]
    first = bisect_left(befores, span[0]) - 1  # the last mark with every posting before it below the span
    last = bisect_left(befores, span[1], first + 1)  # the first whose posting before it is past the span
    start, stop = points[first], (points[last] if last < len(points) else None)
    windows = [None if text is None else bytes(text[start[k]:stop[k] - 1] if stop else text[start[k]:])
               for k, text in zip((2, 3, 4), texts)]
    base = start[1] if start[0] else 0
    deltas = windows[0].split(b",")
    refs = list(accumulate(map(int, deltas), initial=base))[1:]
    lengths = windows[2].split(b",")
    before = len(refs)
    tfs = _edit(refs, deltas, windows[1].split(b",") if windows[1] is not None else None, lengths, base,
                removed, added)
    middles = [b",".join(deltas), None if tfs is None else b",".join(tfs), b",".join(lengths)]
    new = [None if text is None else _splice(text, start[k], stop[k] if stop else None, middle)
           for k, text, middle in zip((2, 3, 4), texts, middles)]
    change = len(refs) - before
    if not refs and not start[0] and stop is None:  # the stretch was the whole field
        return [b"0"], change, None
    if new[1] is not None and tfs is not None and set(tfs) <= {b"1"} \
            and not set(windows[1].split(b",")) <= {b"1"} \
            and _ALL_ONES.fullmatch(b"".join(new[1])):  # the stretch held the field's last frequencies above 1
        new[1] = None
    kept = array("q")
    for point in points[1:first + 1 if refs or stop else first]:  # the start's posting may be gone
        kept.extend(point)
    kept.extend(_marks(refs, deltas, tfs, lengths, start[0], start))
    if stop is not None:  # the marks after the stretch, moved by what it gained or lost
        shift = [sum(map(len, n)) - len(t) if t is not None and n is not None else 0 for t, n in zip(texts, new)]
        for index, ref, *offsets in points[last:]:
            kept.extend((index + len(refs) - before, ref, *map(sum, zip(offsets, shift))))
    long = points[-1][0] + 1 + change >= 2 * MARK_EVERY \
        or sum(bytes(piece).count(b",") for piece in new[0]) + 1 >= 2 * MARK_EVERY
    return [b"[[", *new[0], b"],[", *(new[1] or ()), b"],[", *new[2], b"]]"], change, (kept if long else None)


def _changed_span(removed: Sequence[tuple[int, int]], added: Field | None) -> tuple[int, int] | None:
    """The refs from the first removed or added to past the last, or None if none is."""
    adds = added[0] if added and added[0] else ()
    los = [lo for lo, _ in removed] + ([adds[0]] if adds else [])
    his = [hi for _, hi in removed] + ([adds[-1] + 1] if adds else [])
    return (min(los), max(his)) if los else None


def _splice(text: memoryview | bytes, start: int, stop: int | None, middle: bytes) -> Pieces:
    """`text` (postings separated by commas) with those from offset `start` to `stop`
    (the start of the first one kept after them; None: to the end) replaced: its pieces,
    commas between them, views of `text` where they are its own."""
    parts = [part for part in (text[:start - 1] if start else b"", middle, text[stop:] if stop is not None else b"")
             if len(part)]
    return [piece for i, part in enumerate(parts) for piece in ((b",", part) if i else (part,))]


def _marks(refs: list[int], deltas: list[bytes], tfs: list[bytes] | None, lengths: list[bytes],
           index: int, start: tuple) -> array:
    """Marks every MARK_EVERY postings of a stretch of a field that starts at posting
    `index`, at the offsets of mark `start`."""
    out = array("q")
    columns = (deltas, tfs, lengths)
    offsets = list(start[2:])
    previous = 0
    for j in range(MARK_EVERY - index % MARK_EVERY, len(refs), MARK_EVERY):
        for c, column in enumerate(columns):
            if column is not None:  # each posting's text and its comma
                offsets[c] += sum(map(len, column[previous:j])) + j - previous
        out.extend((index + j, refs[j - 1], offsets[0], offsets[1] if tfs is not None else 0, offsets[2]))
        previous = j
    return out


def _edit(refs: list[int], deltas: list[bytes], tfs: list[bytes] | None, lengths: list[bytes], base: int,
          removed: Sequence[tuple[int, int]], added: Field | None) -> list[bytes] | None:
    """Take the refs in the `removed` ranges out of a stretch of postings and put the
    `added` ones in, in place; `base` is the ref before the stretch (0 at the start).
    Returns the frequencies, written out if frequencies above 1 came in."""
    for lo, hi in reversed(removed):
        i, j = bisect_left(refs, lo), bisect_left(refs, hi)
        if i < j:
            del refs[i:j], deltas[i:j], lengths[i:j]
            if tfs is not None:
                del tfs[i:j]
            if i < len(refs):
                deltas[i] = b"%d" % (refs[i] - (refs[i - 1] if i else base))
    if added and added[0]:
        new_refs, new_tfs, new_lengths = added[0].tolist(), added[1].tolist(), added[2].tolist()
        if tfs is None and new_tfs.count(1) != len(new_tfs):
            tfs = [b"1"] * len(refs)
        k = 0
        while k < len(new_refs):  # runs of new refs that fall in one gap between kept ones
            p = bisect_left(refs, new_refs[k])
            m = bisect_left(new_refs, refs[p], k) if p < len(refs) else len(new_refs)
            run = new_refs[k:m]
            before = refs[p - 1] if p else base
            refs[p:p] = run
            deltas[p:p] = [b"%d" % (run[0] - before), *[b"%d" % d for d in map(sub, run[1:], run[:-1])]]
            lengths[p:p] = [b"%d" % n for n in new_lengths[k:m]]
            if tfs is not None:
                tfs[p:p] = [b"%d" % n for n in new_tfs[k:m]]
            after = p + len(run)
            if after < len(refs):
                deltas[after] = b"%d" % (refs[after] - run[-1])
            k = m
    return tfs


def _ints(values) -> str:
    """Comma-separated integers, by the C JSON encoder (twice as fast as str.join)."""
    return json.dumps(values if isinstance(values, list) else values.tolist(), separators=(",", ":"))[1:-1]


def pack(terms: Sequence[str], sizes: dict[str, int], cap: int) -> list[list[str]]:
    """Group sorted terms into shards of at most `cap` bytes (a term bigger than
    the cap gets a shard to itself). Groups follow the prefix tree: a bucket too
    big for one shard is split by the next character, and siblings that fit
    together are merged, so growth in one bucket reshapes only that bucket."""
    terms = list(terms)
    if not terms:  # an archive with no words yet: no shards
        return []
    total = [0, *accumulate(sizes[t] for t in terms)]  # size of terms[i:j] is total[j] - total[i]
    return [terms[i:j] for i, j in _split(terms, total, 0, len(terms), 0, cap)]


def _split(terms: list[str], total: list[int], lo: int, hi: int, depth: int, cap: int) -> list[tuple[int, int]]:
    """terms[lo:hi] (one bucket: they share their first `depth` characters) as ranges."""
    if total[hi] - total[lo] <= cap or hi - lo == 1:
        return [(lo, hi)]
    children: list[tuple[int, int]] = []
    start = lo
    for i in range(lo + 1, hi + 1):  # runs of terms with the same character at `depth`
        if i == hi or len(terms[i]) <= depth or len(terms[start]) <= depth \
                or terms[i][depth] != terms[start][depth]:
            children.append((start, i))
            start = i
    groups: list[tuple[int, int]] = []
    for a, b in children:
        groups.extend(_split(terms, total, a, b, depth + 1, cap))
    merged: list[tuple[int, int]] = []
    for a, b in groups:  # contiguous: merging is widening the last range
        if merged and total[b] - total[merged[-1][0]] <= cap:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged
