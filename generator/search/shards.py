"""Postings for the whole corpus, encoded per term and packed into prefix shards."""

from __future__ import annotations

import json
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
    plus the sum of each field's lengths and the number of documents."""

    def __init__(self) -> None:
        self.terms: dict[str, list[array]] = {}
        self.length_sums = [0] * NFIELDS
        self.count = 0

    def add(self, ref: int, fields: Sequence[FieldTerms]) -> None:
        terms = self.terms
        self.count += 1
        for i, field in enumerate(fields):
            self.length_sums[i] += field.length
            length = field.length
            for term, tf in field.frequencies.items():
                lists = terms.get(term)
                if lists is None:
                    lists = terms[term] = [array("i") for _ in range(NFIELDS)]
                lists[i].extend((ref, tf, length))

    def extend(self, other: Postings) -> None:
        """Append postings of later refs (a worker's range) after these."""
        self.count += other.count
        for i in range(NFIELDS):
            self.length_sums[i] += other.length_sums[i]
        for term, lists in other.terms.items():
            mine = self.terms.get(term)
            if mine is None:
                self.terms[term] = lists
            else:
                for a, b in zip(mine, lists):
                    a.extend(b)


Field = tuple[Sequence[int], Sequence[int], Sequence[int]]  # refs ascending, tfs, field lengths


def split_field(flat: array) -> Field:
    """A Postings field list [ref, tf, length, ...] as three columns."""
    return flat[0::3], flat[1::3], flat[2::3]


def encode_term(term: str, fields: Sequence[Field]) -> str:
    """One term's JSON entry: [term, df, field...] where each field is [ref deltas,
    term frequencies ([] when all 1), field lengths], or 0 when the term is not in it.
    `df` counts (document, field) pairs, as lunr.idf does."""
    df = 0
    parts = []
    for refs, tfs, lengths in fields:
        df += len(refs)
        if not refs:
            parts.append("0")
            continue
        deltas = [refs[0], *map(sub, refs[1:], refs[:-1])]
        tf_text = "" if tfs.count(1) == len(tfs) else _ints(tfs)
        parts.append(f"[[{_ints(deltas)}],[{tf_text}],[{_ints(lengths)}]]")
    return f"[{html_safe(json.dumps(term, ensure_ascii=False))},{df},{','.join(parts)}]"


def respell(entry: str, removed: Sequence[tuple[int, int]], added: Sequence[array] | None) -> str | None:
    """The entry encode_term would make of `entry`'s postings without the refs in the
    `removed` ranges and with `added` (a Postings field list per field), or None when no
    posting is left. It works on the columns' text: only ref deltas are read as numbers,
    and what lies outside the changed refs is copied as it is (a long list of a common
    term costs a split and a join, not a parse and an encode)."""
    _, end = _DECODER.raw_decode(entry, 1)
    head = entry[1:end]  # the term's JSON, as written
    pos = entry.index(",", end + 1) + 1  # past the df
    fields, df = [], 0
    for f in range(NFIELDS):
        if entry[pos] == "0":
            columns, pos = None, pos + 1
        else:
            a = pos + 2
            b = entry.index("]", a)
            c = entry.index("]", b + 3)
            d = entry.index("]", c + 3)
            columns, pos = (entry[a:b], entry[b + 3:c], entry[c + 3:d]), d + 2
        pos += 1  # the comma before the next field, or the closing bracket
        text = _respell_field(columns, removed, split_field(added[f]) if added else None)
        if text != "0":
            df += text.count(",", 0, text.index("]")) + 1  # one delta per posting
        fields.append(text)
    return None if df == 0 else f"[{head},{df},{','.join(fields)}]"


_DECODER = json.JSONDecoder()


def _respell_field(columns: tuple[str, str, str] | None, removed: Sequence[tuple[int, int]],
                   added: Field | None) -> str:
    if columns is None:
        refs: list[int] = []
        deltas: list[str] = []
        tfs: list[str] | None = None
        lengths: list[str] = []
    else:
        delta_text, tf_text, length_text = columns
        deltas = delta_text.split(",")
        refs = list(accumulate(map(int, deltas)))
        tfs = tf_text.split(",") if tf_text else None  # None: every frequency is 1
        lengths = length_text.split(",")
    for lo, hi in reversed(removed):
        i, j = bisect_left(refs, lo), bisect_left(refs, hi)
        if i < j:
            del refs[i:j], deltas[i:j], lengths[i:j]
            if tfs is not None:
                del tfs[i:j]
            if i < len(refs):
                deltas[i] = str(refs[i] - (refs[i - 1] if i else 0))
    if added and added[0]:
        new_refs, new_tfs, new_lengths = added[0].tolist(), added[1].tolist(), added[2].tolist()
        if tfs is None and new_tfs.count(1) != len(new_tfs):
            tfs = ["1"] * len(refs)
        k = 0
        while k < len(new_refs):  # runs of new refs that fall in one gap between kept ones
            p = bisect_left(refs, new_refs[k])
            m = bisect_left(new_refs, refs[p], k) if p < len(refs) else len(new_refs)
            run = new_refs[k:m]
            before = refs[p - 1] if p else 0
            refs[p:p] = run
            deltas[p:p] = [str(run[0] - before), *map(str, map(sub, run[1:], run[:-1]))]
            lengths[p:p] = map(str, new_lengths[k:m])
            if tfs is not None:
                tfs[p:p] = map(str, new_tfs[k:m])
            after = p + len(run)
            if after < len(refs):
                deltas[after] = str(refs[after] - run[-1])
            k = m
    if not refs:
        return "0"
    tf_text = "" if tfs is None or tfs.count("1") == len(tfs) else ",".join(tfs)
    return f"[[{','.join(deltas)}],[{tf_text}],[{','.join(lengths)}]]"


def _ints(values) -> str:
    """Comma-separated integers, by the C JSON encoder (twice as fast as str.join)."""
    return json.dumps(values if isinstance(values, list) else values.tolist(), separators=(",", ":"))[1:-1]


def pack(terms: Sequence[str], sizes: dict[str, int], cap: int) -> list[list[str]]:
    """Group sorted terms into shards of at most `cap` bytes (a term bigger than
    the cap gets a shard to itself). Groups follow the prefix tree: a bucket too
    big for one shard is split by the next character, and siblings that fit
    together are merged, so growth in one bucket reshapes only that bucket."""
    terms = list(terms)
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
