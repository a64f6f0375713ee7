"""The managed block inside a free-text memo: finding it, fitting it, splicing it in.

orderbridge owns exactly one block, between two delimiter lines, in a memo that otherwise belongs
to people. Everything outside the block is kept byte for byte. A line is a delimiter only when it
is exactly one of the two delimiter texts (a trailing carriage return is allowed), so text that
merely looks like one stays user text. When a memo holds stray delimiters, the block is the
first end line together with the nearest start line before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "MEMO_LIMIT",
    "MemoLine",
    "find_block",
    "fit_block",
    "outside_text",
    "splice_block",
]

BLOCK_START = (
    "=== TD SYNNEX status (managed by orderbridge, edits inside this block are replaced) ==="
)
BLOCK_END = "=== end TD SYNNEX status ==="
MEMO_LIMIT = 4000
OMITTED = "(some older or detailed lines left out to fit the memo)"

_START = re.compile(rf"^{re.escape(BLOCK_START)}(?=\r?$)", re.M)
_END = re.compile(rf"^{re.escape(BLOCK_END)}(?=\r?$)", re.M)


@dataclass(frozen=True, slots=True)
class MemoLine:
    """One rendered line; ``drop_rank`` > 0 may be dropped to fit (highest first).

    A line with ``heading_of`` set is a heading that disappears with the last line of its group.
    """

    text: str
    drop_rank: int = 0
    group: str | None = None
    heading_of: str | None = None


def find_block(memo: str) -> tuple[int, int] | None:
    """(start, end) offsets of the managed block in ``memo``, or None when there is none."""
    starts = [m.start() for m in _START.finditer(memo)]
    if not starts:
        return None
    for end in _END.finditer(memo):
        before = [s for s in starts if s + len(BLOCK_START) <= end.start()]
        if before:
            return before[-1], end.end()
    return None


def _separator(text: str) -> str:
    if not text or text.endswith("\n\n") or text.endswith("\r\n\r\n"):
        return ""
    return "\n" if text.endswith("\n") else "\n\n"


def outside_text(memo: str) -> str:
    """The memo without the managed block: what belongs to people."""
    span = find_block(memo)
    return memo if span is None else memo[: span[0]] + memo[span[1] :]


def splice_block(memo: str, block: str | None) -> str:
    """Replace the managed block (or append it after a blank line); None removes the block."""
    span = find_block(memo)
    if span is not None:
        return memo[: span[0]] + (block or "") + memo[span[1] :]
    if block is None:
        return memo
    return memo + _separator(memo) + block


def _room(memo: str, limit: int) -> int:
    span = find_block(memo)
    if span is not None:
        return limit - (len(memo) - (span[1] - span[0]))
    return limit - len(memo) - len(_separator(memo))


def _join(lines: Sequence[MemoLine]) -> str:
    headed = {line.group for line in lines if line.heading_of is None and line.group}
    kept = [line.text for line in lines if line.heading_of is None or line.heading_of in headed]
    return "\n".join([BLOCK_START, *kept, BLOCK_END])


def fit_block(memo: str, lines: Sequence[MemoLine], limit: int = MEMO_LIMIT) -> str | None:
    """The block text for ``lines`` that fits ``memo`` within ``limit``, or None if none fits.

    Droppable lines go first, highest ``drop_rank`` first; a note says something was left out.
    User text is never shortened: if even the undroppable lines do not fit, there is no block.
    """
    room = _room(memo, limit)
    full = _join(lines)
    if len(full) <= room:
        return full
    kept = list(lines)
    order = sorted(
        (i for i, line in enumerate(lines) if line.drop_rank > 0),
        key=lambda i: (-lines[i].drop_rank, -i),
    )
    dropped: set[int] = set()
    size = len(full) + len(OMITTED) + 1
    for index in order:
        if size <= room:
            break
        dropped.add(index)
        size -= len(lines[index].text) + 1
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    candidate = _join([*kept, MemoLine(OMITTED)])
    if len(candidate) <= room:
        return candidate
    bare = _join([line for line in kept if line.drop_rank == 0][:1])
    return bare if len(bare) <= room else None
