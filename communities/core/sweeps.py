"""One way to sweep: find what is due, claim it, act on it, and keep one poisoned row from
holding back (or flooding the log of) every sweep after it.

A sweep is declared, not written: the model, the condition that makes a row due (the same
condition as the model's partial index, so the query reads that small index and nothing else),
the indexed column the batches walk, what the claim writes (it takes the row out of the due set),
and ``act``, which writes the events and notifications of a whole batch of claimed rows at once.

``Sweep.run`` then:

1. reads the due ids in keyset batches ordered by (that column, id): an index range scan that
   stops after one batch, and costs one probe of an empty index when nothing is due;
2. claims the batch in one transaction: the rows still due are locked (rows another worker holds
   are skipped, never waited for), the claim is a conditional UPDATE on the same condition, and
   ``act`` runs in that transaction, so a row is marked, traced and notified exactly once however
   many workers sweep at once, and a worker killed half-way leaves it due for the next run;
3. if the batch fails, claims its rows again one by one, so only the poisoned row is left out;
   the failure is kept on the row (``sweep_failures``, ``sweep_retry_at``): it is retried with
   exponential backoff, reported (logged with its traceback) on its first failure only, and a
   later success clears it.

Models swept this way inherit ``SweepState``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from communities.core import prepared

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=24)


class SweepState(models.Model):
    """A swept row's failure bookkeeping. ``db_default`` lets bulk loaders (COPY) leave it out, and
    adds the column to a big table without rewriting it."""

    sweep_failures = models.SmallIntegerField(_("sweep failures"), default=0, db_default=0, editable=False)
    sweep_retry_at = models.DateTimeField(_("sweep retries after"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def retry_delay(failures: int) -> timedelta:
    """1 min, 2, 4, … after each failure in a row, at most a day."""
    return min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class Sweep:
    name: str
    model: type[models.Model]
    due: Callable[[datetime], Q]  # the rows due at ``now``: the partial index's condition
    order_field: str  # the partial index's column; batches walk it in order
    claim: Callable[[datetime], dict]  # the fields the claim writes; they take the row out of ``due``
    act: Callable[[list, datetime], None]  # the batch's events and notifications, inside the claim
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    batch: int = 500

    # --- the queries ---

    def due_queryset(self, now: datetime) -> models.QuerySet:
        not_waiting = Q(sweep_retry_at__isnull=True) | Q(sweep_retry_at__lte=now)
        return self.model.objects.filter(self.due(now), not_waiting)

    def due_batch_queryset(self, now: datetime, *, limit: int, after: tuple | None = None) -> models.QuerySet:
        """(order value, id) of the next ``limit`` due rows after the key ``after``."""
        field = self.order_field
        queryset = self.due_queryset(now)
        if after is not None:
            value, pk = after
            queryset = queryset.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
        return queryset.order_by(field, "pk").values_list(field, "pk")[:limit]

    # --- the run ---

    def run(self, *, now: datetime | None = None, batch: int | None = None) -> int:
        """Claim and act on every row due at ``now``; returns how many this run claimed."""
        now = now or timezone.now()
        batch = batch or self.batch
        done, after = 0, None
        while True:
            keys = list(self.due_batch_queryset(now, limit=batch, after=after))
            if not keys:
                return done
            after = keys[-1]
            ids = [pk for _value, pk in keys]
            try:
                done += self._claim(ids, now)
            except Exception:  # noqa: BLE001 - a row spoiled the batch: again one by one
                for pk in ids:
                    try:
                        done += self._claim([pk], now)
                    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the sweep
                        self._failed(pk, now, exc)

    def _claim(self, ids: Iterable[int], now: datetime) -> int:
        with transaction.atomic():
            rows = list(
                self.model.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(self.due(now), pk__in=list(ids))
                .select_related(*self.select_related).order_by("pk")
            )
            if not rows:
                return 0  # another worker holds or took them, or they moved on
            claimed = self.model.objects.filter(self.due(now), pk__in=[r.pk for r in rows]).update(
                **self.claim(now), sweep_failures=0, sweep_retry_at=None)
            if claimed != len(rows):  # only without row locks (SQLite): someone else got there first
                keep = set(self.model.objects.filter(pk__in=[r.pk for r in rows]).filter(self._claimed(now))
                           .values_list("pk", flat=True))
                rows = [r for r in rows if r.pk in keep]
            if self.prefetch_related:
                models.prefetch_related_objects(rows, *self.prefetch_related)
            self.act(rows, now)
        return len(rows)

    def _claimed(self, now: datetime) -> Q:
        return Q(**self.claim(now))

    def _failed(self, pk: int, now: datetime, exc: Exception) -> None:
        failures = (self.model.objects.filter(pk=pk).values_list("sweep_failures", flat=True).first() or 0) + 1
        retry_at = now + retry_delay(failures)
        self.model.objects.filter(pk=pk).update(sweep_failures=failures, sweep_retry_at=retry_at)
        if failures == 1:
            log.error("sweep %s: %s %s failed; retrying with backoff from %s, not reported again",
                      self.name, self.model._meta.label, pk, retry_at.isoformat(), exc_info=exc)
        else:
            log.debug("sweep %s: %s %s failed again (%s times): %s", self.name, self.model._meta.label, pk,
                      failures, exc)


def run_all(sweeps: Iterable[Sweep], *, now: datetime | None = None, batch: int | None = None) -> int:
    now = now or timezone.now()
    return sum(sweep.run(now=now, batch=batch) for sweep in sweeps)


def insert_rows(model: type[models.Model], rows: list[dict], *, ignore_conflicts: bool = False,
                per_statement: int = 5000) -> None:
    """INSERT ``rows`` ({field name or attname: value}; a field left out takes its default,
    auto_now fields take now) without building a model instance per row. On PostgreSQL one statement per
    ``per_statement`` rows (how they are sent: ``JSON_ROWS``). ``ignore_conflicts`` leaves out a row that
    would break a unique key, as bulk_create's does. Elsewhere it is bulk_create. For a sweep's events and notifications:
    thousands of rows a batch, where bulk_create's per-object work costs more than the database does."""
    for start in range(0, len(rows), per_statement):
        insert_together([(model, rows[start:start + per_statement], ignore_conflicts)])


def insert_together(parts: Iterable[tuple[type[models.Model], list[dict], bool]]) -> None:
    """``insert_rows`` for several tables in one statement on PostgreSQL (each part an INSERT in a
    ``WITH``; parts as (model, rows, ignore_conflicts)): intake writes a petition, its events and its
    outbox rows in one round trip. The rows must not need each other's generated keys (take the
    id from the sequence first); foreign keys are checked at commit. Elsewhere one bulk_create per part, in order."""
    parts = [(model, rows, ignore) for model, rows, ignore in parts if rows]
    if not parts:
        return
    db = transaction.get_connection()  # the connection itself: no proxy lookup per value
    if db.vendor != "postgresql":
        for model, rows, ignore in parts:
            model.objects.bulk_create([model(**row) for row in rows], ignore_conflicts=ignore, batch_size=2000)
        return
    now = timezone.now()
    statements, params, few = [], [], True
    for model, rows, ignore in parts:
        if len(rows) > JSON_ROWS:
            sql, values = _unnest_statement(model, rows, ignore, db, now)
            statements.append(sql)
            params.extend(values)
            few = False
            continue
        plan = _InsertPlan.of(model, db)
        with_pk = any(model._meta.pk.attname in row for row in rows)
        statements.append(plan.sql(with_pk, ignore))
        params.append(plan.values(rows, with_pk, db, now))
    *first, last = statements
    sql = f"WITH {', '.join(f'w{n} AS ({s})' for n, s in enumerate(first))} {last}" if first else last
    if few:  # one JSON parameter a table: the same text every time, planned once per connection
        prepared.execute(db, sql, params)
        return
    with db.cursor() as cursor:
        cursor.execute(sql, params)


# Up to this many rows a part goes as one JSON parameter (a statement text that stays the same, so
# PostgreSQL plans it once per connection: intake's few rows); more go as one array per column, unnested, each distinct value converted once
# (a sweep's thousands: half the CPU of the JSON rows there).
JSON_ROWS = 100


def _unnest_statement(model: type[models.Model], rows: list[dict], ignore_conflicts: bool, db,
                      now: datetime) -> tuple[str, list]:
    """The INSERT of many rows: a column whose rows differ is sent as one array and unnested, a
    column with one value for every row (a default, the batch's kind) as one parameter."""
    given = set()
    for row in rows:
        given.update(row)

    def prepare(f):
        if isinstance(f, models.JSONField):
            return lambda v: None if v is None else json.dumps(v, cls=f.encoder)
        return lambda v: f.get_db_prep_save(v, db)

    def column(f) -> tuple[bool, object]:
        """(one value for every row?, that value or the list of the rows' values), converted."""
        convert, memo, values, shared = prepare(f), {}, [], True
        json_field = isinstance(f, models.JSONField)
        missing = _new_value(f, now)
        by_name = f.is_relation and f.name in given
        for row in rows:
            if by_name and f.name in row:
                v = row[f.name].pk if row[f.name] is not None else None
            else:
                v = row.get(f.attname, missing)
            if json_field:  # a dict is not hashable: its text is
                prepared = convert(v)
                prepared = memo.setdefault((str, prepared), prepared)
            else:
                try:
                    key = (type(v), v)
                    prepared = memo[key] if key in memo else memo.setdefault(key, convert(v))
                except TypeError:  # unhashable: converted each time, never shared
                    prepared, shared = convert(v), False
            values.append(prepared)
        return (True, values[0]) if shared and len(memo) == 1 else (False, values)

    def cast(f, array: bool) -> str:
        if isinstance(f, models.JSONField):
            return "%s::text[]::jsonb[]" if array else "%s::jsonb"
        return f"%s::{f.db_type(db)}{'[]' if array else ''}"

    arrays, scalars = [], []
    for f in model._meta.concrete_fields:
        if f.generated or (f.primary_key and f.attname not in given):
            continue
        if f.name in given or f.attname in given:
            shared, value = column(f)
        else:
            shared, value = True, prepare(f)(_new_value(f, now))
        (scalars if shared else arrays).append((f, value))
    if arrays:
        source = f"FROM unnest({', '.join(cast(f, True) for f, _v in arrays)}) AS u"
        selected = ["u.*"]
    else:  # every row the same
        source = f"FROM generate_series(1, {len(rows)})"
        selected = []
    selected += [cast(f, False) for f, _v in scalars]
    columns = [db.ops.quote_name(f.column) for f, _v in arrays + scalars]
    sql = (f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(selected)} {source}" + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""))
    return sql, [v for _f, v in scalars] + [v for _f, v in arrays]  # in the order they appear


def instance_row(instance: models.Model, now: datetime) -> dict:
    """A new model instance's field values for ``insert_rows``, as ``save()`` would write them
    (auto_now and auto_now_add take ``now``, and are set on the instance too); the instance is
    then marked saved, so a later ``save()`` updates its row."""
    row = {}
    for f in instance._meta.concrete_fields:
        if f.generated:  # the database's to compute
            continue
        if _stamped(f):
            setattr(instance, f.attname, now)
        value = getattr(instance, f.attname)
        if not (f.primary_key and value is None):
            row[f.attname] = value
    instance._state.adding, instance._state.db = False, transaction.get_connection().alias
    return row


def _json_value(value):
    """What json.dumps cannot write itself, as PostgreSQL reads it back into the column's type."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()  # every digit: DjangoJSONEncoder cuts microseconds
    if isinstance(value, (Decimal, UUID, Promise)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not written by insert_rows")


class _InsertPlan:
    """What ``insert_together`` needs of a model to write a few rows as JSON, worked out once per
    process: its columns, how each value is converted, the defaults that are the same for every row,
    and the statement's text."""

    _plans: dict[tuple, _InsertPlan] = {}

    @classmethod
    def of(cls, model: type[models.Model], db) -> _InsertPlan:
        key = (model, db.alias)
        plan = cls._plans.get(key)
        if plan is None:
            plan = cls._plans[key] = cls(model, db)
        return plan

    def __init__(self, model: type[models.Model], db) -> None:
        self.table = db.ops.quote_name(model._meta.db_table)
        # (field, its name, its attname, is it JSON, is it a relation, the types of value that go as
        #  they are, its converted default or _EACH_ROW)
        self.fields = []
        for f in model._meta.concrete_fields:
            if f.generated:  # the database's to compute
                continue
            json_field = isinstance(f, models.JSONField)
            fixed = not (_stamped(f) or (f.has_default() and callable(f.default)
                                         and f.default not in (list, dict, str)))
            default = self._convert(f, json_field, f.get_default(), db) if fixed else _EACH_ROW
            plain = _plain_values(f.target_field if f.is_relation else f)
            self.fields.append((f, f.name, f.attname, json_field, f.is_relation, plain, default))
        self._sql = {}
        self._fits: dict[tuple[str, type], bool] = {}

    def sql(self, with_pk: bool, ignore_conflicts: bool) -> str:
        key = (with_pk, ignore_conflicts)
        if key not in self._sql:
            columns = ", ".join(f'"{f.column}"' for f, *_x in self.fields if with_pk or not f.primary_key)
            self._sql[key] = (f"INSERT INTO {self.table} ({columns}) SELECT {columns} "
                              f"FROM jsonb_populate_recordset(NULL::{self.table}, %s::jsonb)"
                              + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""))
        return self._sql[key]

    def _as_is(self, attname: str, kind: type, plain: frozenset[type]) -> bool:
        """Whether a value of this type goes to this column as it is: None (every field writes
        it as NULL), or a subclass of a plain type (a TextChoices member is a str). Once per type."""
        key = (attname, kind)
        fits = self._fits.get(key)
        if fits is None:
            fits = self._fits[key] = kind is type(None) or any(
                issubclass(kind, t) for t in plain)
        return fits

    @staticmethod
    def _convert(f, json_field: bool, value, db):
        return value if json_field else f.get_db_prep_save(value, db)

    def values(self, rows: list[dict], with_pk: bool, db, now: datetime) -> str:
        """The rows as one JSON array of objects keyed by column, every column given."""
        convert, out = self._convert, []
        for row in rows:
            values = {}
            for f, name, attname, json_field, relation, plain, default in self.fields:
                if f.primary_key and not with_pk:
                    continue
                if attname in row:
                    value = row[attname]
                    kind = type(value)  # a str to a text column, an int to a number, … go as they are
                    if kind not in plain and not (self._as_is(attname, kind, plain) or _aware(f, value)):
                        value = convert(f, json_field, value, db)
                elif relation and name in row:
                    value = row[name].pk if row[name] is not None else None
                elif default is _EACH_ROW:
                    value = _new_value(f, now)
                    if not _aware(f, value):  # the time of the write goes as it is
                        value = convert(f, json_field, value, db)
                else:
                    value = default
                values[f.column] = value
            out.append(values)
        return json.dumps(out, default=_json_value, ensure_ascii=False)


_EACH_ROW = object()  # a default worked out for each row (now, a callable's new value)


def _stamped(f: models.Field) -> bool:
    """auto_now or auto_now_add: the field takes the time of the write."""
    return getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)


def _new_value(f: models.Field, now: datetime):
    """A field's value in a new row not given one, as a new instance would have it."""
    return now if _stamped(f) else f.get_default()


def _plain_values(f: models.Field) -> frozenset[type]:
    """The types of value whose database value for ``f`` is the value itself (get_db_prep_save
    only checks or casts it; skipping it is a third of writing a petition's row)."""
    for kinds, types in _PLAIN:
        if isinstance(f, kinds):
            return types
    return frozenset()


def _aware(f: models.Field, value) -> bool:
    """An aware datetime to a datetime column goes as it is; a naive one is made aware first."""
    return type(value) is datetime and value.tzinfo is not None and isinstance(f, models.DateTimeField)


_PLAIN = [((models.CharField, models.TextField), frozenset({str, type(None)})),
          ((models.BooleanField,), frozenset({bool, type(None)})),
          ((models.IntegerField, models.AutoField), frozenset({int, type(None)})),
          ((models.FloatField,), frozenset({float, int, type(None)}))]
