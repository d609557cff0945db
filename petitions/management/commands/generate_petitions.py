import time

from django.core.management.base import BaseCommand

from petitions import generator
from petitions.supervision import stats


class Command(BaseCommand):
    help = ("Insert synthetic petitions for benchmarks and demos (needs the demo district), then roll up the "
            "dashboard statistics. Shows progress.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--days", type=int, default=365, help="spread over this many days up to now")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, count: int, days: int, seed: int, **options) -> None:
        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        started = time.monotonic()
        generator.generate(count, days=days, seed=seed, progress=progress)
        inserted = time.monotonic()
        progress(f"Inserted {count:,} petitions in {inserted - started:.1f} s; rolling up the statistics…")
        stats.rebuild_all(progress=progress)
        progress(f"Statistics rebuilt in {time.monotonic() - inserted:.1f} s.")
