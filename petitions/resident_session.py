"""What a resident's browser remembers without an account: the petitions it filed or proved (code
and phone) in this session, so their status pages open again without asking."""

from __future__ import annotations

TRACKED = "tracked_petitions"
REMEMBERED = 20


def remember_petition(request, petition_pk: int) -> None:
    request.session[TRACKED] = [*request.session.get(TRACKED, []), petition_pk][-REMEMBERED:]
