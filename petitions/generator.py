"""Synthetic petitions in bulk, for the demo's history and for the dashboard benchmark.

They look like the district's real traffic (channels, categories, communities, the share settled
the same day, ratings), are written straight into the table in large batches (COPY on
PostgreSQL), and skip the services on purpose: no events, notifications or alerts for a million
rows of history. Run the statistics rollup afterwards (the command does).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from communities.models import Region, ServicePoint

from .models import Category, Channel, Petition, Status

CHANNEL_WEIGHTS = {Channel.WEB: 35, Channel.HALL: 20, Channel.STATION: 15, Channel.HOTLINE: 20,
                   Channel.GRID_PATROL: 7, Channel.SNAPSHOT: 3}
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
COLUMNS = ["tracking_code", "channel", "category_id", "service", "title", "description", "community_id", "street_id",
           "district_id", "address",
           "people_affected", "resident_name", "resident_phone", "status", "accept_due_at", "resolve_due_at",
           "extended", "extension_reason", "overdue_accept_at", "overdue_resolve_at", "accepted_at", "resolved_at",
           "closed_at", "reopen_count", "rating", "rating_comment", "public_reply", "risk_level", "risk_reasons",
           "created_at", "updated_at", "service_point_id", "grid_id", "handler_department_id"]
# Family names and given-name characters for the residents of the synthetic rows (searchable by name).
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲红云峰波宁鹏飞"


def _code(index: int) -> str:
    """GX-XXXX-XXXX for the index-th generated petition: multiplying by an odd constant modulo
    2**40 is a bijection, so distinct indices give distinct codes that do not look sequential."""
    value, chars = (index * 0x9E3779B1) % (1 << 40), []
    for _ in range(8):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return f"GX-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _rows(count: int, *, first: int, days: int, now: datetime, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    categories = list(Category.objects.filter(is_active=True).values_list(
        "pk", "service", "name", "same_day", "resolve_hours", "default_handler", "department_id"))
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("pk", "name", "parent_id",
                                                                                     "parent__parent_id"))
    # Where a hall or station petition was taken in, and the grid each petition lies in: without
    # them the hall, station and grid inboxes of the demo would be empty.
    halls: dict[int, int] = {}
    stations: dict[int, list[int]] = {}
    for pk, region_id, tier in ServicePoint.objects.filter(is_active=True).values_list("pk", "region_id", "tier"):
        if tier == ServicePoint.Tier.COMMUNITY_HALL:
            halls[region_id] = pk
        elif tier == ServicePoint.Tier.STATION:
            stations.setdefault(region_id, []).append(pk)
    grids: dict[int, list[int]] = {}
    for pk, parent_id in Region.objects.filter(level=Region.Level.GRID).order_by("pk").values_list("pk", "parent_id"):
        grids.setdefault(parent_id, []).append(pk)
    if not categories or not communities:
        raise RuntimeError("load the demo district first (python manage.py load_demo)")
    channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    rows = []
    for n in range(count):
        cat_pk, service, cat_name, same_day, resolve_hours, handler, department_pk = rng.choice(categories)
        community_pk, community_name, street_pk, district_pk = rng.choice(communities)
        channel = rng.choices(channels, weights)[0]
        point = None
        if channel == Channel.HALL:
            point = halls.get(community_pk)
        elif channel == Channel.STATION and stations.get(community_pk):
            point = rng.choice(stations[community_pk])
        grid = rng.choice(grids[community_pk]) if grids.get(community_pk) else None
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        created = start + timedelta(seconds=rng.random() * span)
        resolved = closed = accepted = rating = overdue = None
        status = Status.SUBMITTED
        quick = rng.random() < (0.97 if same_day else 0.6)
        took = timedelta(minutes=rng.uniform(20, 300)) if quick else timedelta(hours=rng.uniform(6, resolve_hours * 1.3))
        if created + took <= now and rng.random() < 0.99:
            accepted, resolved = created + timedelta(minutes=rng.uniform(5, 20)), created + took
            status = Status.RESOLVED
            if resolved < now - timedelta(days=7):
                status, closed = Status.CLOSED, resolved + timedelta(days=7)
            if rng.random() < 0.6:
                rating = rng.choices([5, 4, 3, 2, 1], [70, 20, 6, 2, 2])[0]
        elif created + timedelta(hours=1) <= now:
            status, accepted = Status.IN_PROGRESS, created + timedelta(minutes=15)
        if rng.random() < 0.01:
            overdue = created + timedelta(hours=resolve_hours)
        phone = f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}"
        rows.append((
            _code(first + n), channel, cat_pk, service, cat_name, f"{community_name}：{cat_name}",
            community_pk, street_pk, district_pk, "", rng.choice([1, 1, 1, 1, 2, 3, 5]), name, phone, status,
            created + timedelta(hours=2),
            created + timedelta(hours=resolve_hours), False, "", None, overdue, accepted, resolved, closed, 0, rating,
            "", "", 0, "[]", created, resolved or created, point, grid,
            department_pk if handler == "department" else None,
        ))
    return rows


def generate(count: int, *, days: int = 365, now: datetime | None = None, seed: int = 2026,
             progress: Callable[[str], None] | None = None, batch: int = 50_000) -> int:
    """Insert ``count`` petitions spread over the last ``days`` days."""
    now = now or timezone.now()
    # Number on from the petitions generated before, so every run's codes are new.
    first = Petition.objects.filter(tracking_code__startswith="GX-").count()
    written = 0
    while written < count:
        size = min(batch, count - written)
        rows = _rows(size, first=first + written, days=days, now=now, seed=seed + written)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(rows)
            else:
                _insert(rows)
        written += size
        if progress:
            progress(f"  petitions: {written:,}/{count:,} ({100 * written / count:.0f} %)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give them
            cursor.execute(f"ANALYZE {Petition._meta.db_table}")
    return written


def _copy(rows: list[tuple]) -> None:
    table = Petition._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _insert(rows: list[tuple]) -> None:
    # Raw INSERTs, not bulk_create: that would stamp every row's created_at with "now".
    adapt = connection.ops.adapt_datetimefield_value
    table = Petition._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(adapt(v) if isinstance(v, datetime) else v for v in row) for row in rows])
