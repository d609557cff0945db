"""Statements PostgreSQL plans once per connection: the few the hottest paths send on every request.

Django's cursors bind parameters on the client (the statement text carries the values) so that a
connection pooler in transaction mode can sit in front; PostgreSQL then parses and plans every
statement afresh. For a resident's tracking lookup and intake's read and write, planning takes as
long as running (intake's history: 0.24 ms planning for a 0.06 ms run), so these go through a
cursor that binds on the server and prepares the statement the first time a connection sees it.
No pooler sits in front of this database; one that pools by transaction would need them off.
Their rows come in PostgreSQL's binary format, which psycopg's C loaders read (Django's loader for
timestamps is Python, for text): 89 k of a tracking lookup's 2.3 M instructions. The connection's
time zone is UTC, so a timestamp comes back as Django's loader gives it; a ``jsonb`` column would
come back decoded where Django reads it as text, and none of these statements has one.

``rows`` runs a read without Django's health check (the ``SELECT 1`` it sends before the first
statement of each request): a read can be run again, so when the kept connection turns out to be
dead it runs once more on a new one. ``execute`` runs a write after the usual health check.
"""

from __future__ import annotations

import functools

from django.db import InterfaceError, OperationalError


@functools.cache
def _cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=True):
            super().execute(query, params, prepare=prepare, binary=binary)
            # What Django's query log reads as the statement (psycopg leaves it unset here).
            self._query = _Statement(query.encode())
            return self

    return PreparedCursor


class _Statement:
    __slots__ = ("query",)

    def __init__(self, query: bytes) -> None:
        self.query = query


def _cursor(connection):
    cursor = _cursor_class()(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


def _kept_cursor(connection):
    """The connection's own cursor for reads, kept between them: a new psycopg cursor and Django's
    wrapper around it for each read cost a tracking lookup 32 k of its 2.3 M instructions (a ninth
    of the read's own; `make bench BENCH_ARGS=instructions`)."""
    raw = connection.connection
    kept = getattr(connection, "_suqiu_read_cursor", None)
    if kept is None or kept[0] is not raw:  # the first read, or a new connection
        kept = connection._suqiu_read_cursor = (raw, _cursor_class()(raw))
    return kept[1]


def rows(connection, sql: str, params: list) -> list[tuple]:
    """The rows of a read (PostgreSQL), the statement prepared once per connection; run once more
    on a new connection if the kept one is dead (outside a transaction, where nothing is lost).
    Through Django's cursor wrapper when something watches the statements (its query log, an
    ``execute_wrapper``), else on the connection's kept cursor."""
    for attempt in (1, 2):
        connection.ensure_connection()
        try:
            if connection.queries_logged or connection.execute_wrappers:
                with _cursor(connection) as cursor:
                    cursor.execute(sql, params)
                    found = cursor.fetchall()
            else:
                connection.validate_no_broken_transaction()
                with connection.wrap_database_errors:
                    cursor = _kept_cursor(connection)
                    cursor.execute(sql, params)
                    found = cursor.fetchall()
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block or connection.is_usable():
                raise  # no second chance, or the connection was not the trouble
            connection.close()
        else:
            connection.health_check_done = True  # it just answered: no SELECT 1 for the rest of the request
            return found
    raise AssertionError("unreachable")


def execute(connection, sql: str, params: list) -> None:
    """A write (PostgreSQL), the statement prepared once per connection."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
