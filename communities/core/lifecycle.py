"""The one frame every lifecycle's steps run through (petitions, red notices, mediation cases).

A lifecycle declares a table, per action: the states it may start from and where it leads. The
frame then does the same for every step: atomic → lock the row → may this actor take it →
may it be taken from this state → the service's change → the state the table says → the trace
event, committed together or not at all. Adding a lifecycle is declaring a ``Lifecycle``, not
copying this function.

Where an action leads:
- a state: it always leads there;
- ``None``: it never changes the state (a note, an extension, a party added);
- a set of states: the service's change picks one of them or keeps the state (a rating closes
  the petition unless it is low; the court confirms or refuses). A change that moves the state
  anywhere else is a programming error, refused before anything is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from communities.core.errors import DomainError

Target = str | frozenset | None


@dataclass(frozen=True)
class Lifecycle:
    """``lock(pk)`` reads the row under ``SELECT … FOR UPDATE``; ``check_actor(action, obj, actor)``
    raises Forbidden when the actor may not take the action here; ``record(obj, actor=, action=,
    from_status=, note=, **extra)`` writes the trace event; ``noun`` names the thing in the refusal
    ("This cannot be done while the petition is resolved")."""

    table: Mapping[str, tuple[frozenset, Target]]
    lock: Callable[[int], Any]
    check_actor: Callable[[str, Any, Any], None]
    record: Callable[..., Any]
    refusal: Any

    def may_start(self, action: str, status: str) -> bool:
        return status in self.table[action][0]

    def actions_from(self, status: str) -> list[str]:
        """The actions the table allows from ``status``, in the table's order."""
        return [action for action, (sources, _to) in self.table.items() if status in sources]

    def step(self, obj, *, actor, action: str, note: str = "", apply: Callable[[Any], Any] | None = None,
             **event) -> Any:
        """Take ``action`` on ``obj``: the locked row, changed, saved and traced (``obj`` is
        refreshed too). ``apply(locked)`` makes the service's own change; when the table allows
        several targets it may set the state itself, or return the state to lead to."""
        sources, target = self.table[action]
        with transaction.atomic():
            locked = self.lock(obj.pk)
            self.check_actor(action, locked, actor)
            if locked.status not in sources:
                raise DomainError(str(self.refusal) % {"status": locked.get_status_display()})
            from_status = locked.status
            chosen = apply(locked) if apply is not None else None
            if isinstance(target, str):
                locked.status = target
            elif isinstance(chosen, str) and target is not None:
                locked.status = chosen
            if locked.status != from_status and (target is None or locked.status not in
                                                 ({target} if isinstance(target, str) else target)):
                raise LookupError(f"{action} would move {from_status} → {locked.status}, outside its table")
            locked.save()
            self.record(locked, actor=actor, action=action, from_status=from_status, note=note, **event)
        if obj is not locked:
            obj.refresh_from_db()
        return locked
