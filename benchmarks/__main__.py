"""Run the benchmarks: `make bench` (or `python -m benchmarks [name ...]`).

Each benchmark is a module in this package with a `run(args) -> None` that prints its figures
and ratios. They run against the configured database (DATABASE_URL, default SQLite) in a
throw-away test database, never the live one.
"""

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    available = sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"which to run (default all): {', '.join(available)}")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the data sizes")
    parser.add_argument("--petitions", default="100000",
                        help="bench_dashboard: comma-separated table sizes, e.g. 1000000,10000000")
    parser.add_argument("--rounds", type=int, default=3, help="bench_hotpaths: alternating rounds per path")
    parser.add_argument("--duration", type=int, default=10, help="bench_hotpaths: seconds per side per round")
    parser.add_argument("--paths", default="",
                        help="bench_hotpaths: comma-separated paths to measure (default all): "
                             "intake, track, lists, dashboard, service-points, first-pages, notifications")
    parser.add_argument("--db", default="", help="the benchmark database's name (PostgreSQL; default "
                                                 "suqiu_bench_<name>), e.g. to keep a 10 M database beside a 100 k one")
    parser.add_argument("--keepdb", action="store_true",
                        help="keep the benchmark database (and the petitions made) for the next run, and reuse it if there")
    args = parser.parse_args()
    chosen = args.names or available
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.db import connection

    setup_test_environment()
    if connection.vendor == "postgresql" and len(chosen) == 1:  # its own database, e.g. suqiu_bench_sweeps
        name = f"suqiu_bench_{chosen[0].removeprefix('bench_')}"
        if args.paths:  # a run of some paths keeps off the database of a full run (suqiu_bench_hotpaths_track)
            name += "_" + "_".join(sorted(p.strip().replace("-", "_") for p in args.paths.split(",") if p.strip()))
        connection.settings_dict.setdefault("TEST", {})["NAME"] = args.db or name
    # serialize=False: a kept database is never copied into memory (10 M petitions would take gigabytes).
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb, serialize=False)
    try:
        for name in chosen:
            module = importlib.import_module(f"benchmarks.{name if name.startswith('bench_') else 'bench_' + name}")
            print(f"\n== {module.__name__.split('.')[-1]}: {(module.__doc__ or '').strip().splitlines()[0]}")
            module.run(args)
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
