"""Keyset pages: the sort key of a page's last row as an opaque cursor, and back.

A list that grows without bound pages by "the rows after this key" through an index in the list's
order, never by counting and skipping the rows before it (GitLab's keyset-pagination guide).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from django.db.models import Q, QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


def encode(*values: int | datetime) -> str:
    """The cursor of a key made of integers and aware datetimes (kept to the microsecond)."""
    # Microseconds by integer arithmetic: a float timestamp can be a microsecond off, and a key one
    # microsecond off repeats or skips a row at the page boundary.
    parts = [f"t{(v - _EPOCH) // _MICRO}" if isinstance(v, datetime) else f"i{int(v)}" for v in values]
    return base64.urlsafe_b64encode(".".join(parts).encode()).decode().rstrip("=")


def decode(cursor: str, arity: int) -> tuple | None:
    """The key of ``cursor``, or None for anything that is not a cursor of ``arity`` values (a
    list given a cursor it did not make shows its first page)."""
    if not cursor:
        return None
    try:
        parts = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(".")
        if len(parts) != arity:
            return None
        key = []
        for part in parts:
            kind, number = part[0], int(part[1:])
            if kind == "t":
                key.append(_EPOCH + number * _MICRO)
            elif kind == "i":
                key.append(number)
            else:
                return None
        return tuple(key)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError, IndexError):
        return None


def _sortable(value: int | datetime, descending: bool) -> int:
    number = (value - _EPOCH) // _MICRO if isinstance(value, datetime) else int(value)
    return -number if descending else number


def _after(order: tuple[str, ...], key: tuple) -> Q:
    """The rows after ``key`` in ``order``; the first field's bound comes first, so the index
    is entered at the key rather than read from its start and filtered."""
    fields = [(name.lstrip("-"), name.startswith("-")) for name in order]
    later = Q(pk__in=[])
    for i, (name, descending) in enumerate(fields):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": key[i]})
        for (earlier, _), value in zip(fields[:i], key[:i]):
            step &= Q(**{earlier: value})
        later |= step
    first, descending = fields[0]
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": key[0]}) & later


def page_ids(queryset: QuerySet, conditions: list[Q] | None, *, order: tuple[str, ...], size: int,
             after: str = "") -> tuple[list[int], str]:
    """The ids of one keyset page of ``queryset`` in ``order`` (plain fields, ``-`` for descending,
    ending with the primary key), and the cursor of the next page ("" on the last).

    A user's scope is a few conditions, each an equality on an indexed column whose index is in
    ``order``: each is read on its own, through its index, for at most a page of sort keys, and the
    pages merged here (one OR over them would make the database read every row in scope and sort
    them). ``None``: no scope condition (an administrator)."""
    names = tuple(name.lstrip("-") for name in order)
    key = decode(after, len(order))
    if key is not None:
        queryset = queryset.filter(_after(order, key))
    keys: dict[int, tuple] = {}
    for condition in conditions if conditions is not None else [Q()]:
        for values in queryset.filter(condition).order_by(*order).values_list(*names)[:size + 1]:
            sortable = tuple(_sortable(v, name.startswith("-")) for v, name in zip(values, order))
            keys[values[-1]] = (sortable, values)
    taken = sorted(keys.values())[:size + 1]
    cursor = encode(*taken[size - 1][1]) if len(taken) > size else ""
    return [values[-1] for _, values in taken[:size]], cursor


@dataclass
class Page:
    """One page of a list, the cursor of the next page ("" on the last) and the one it was asked
    with ("" on the first), for a page's Next and First page links."""

    rows: list = field(default_factory=list)
    next_cursor: str = ""
    after: str = ""

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)
