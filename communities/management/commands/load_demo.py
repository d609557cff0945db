import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand

from communities import demo_data


class Command(BaseCommand):
    help = (
        "Load the Guangming demo district: regions, the 1+6+31+N service network, departments, "
        "demo accounts, and each app's own demo data (<app>.demo_data.load). Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true",
            help="Do nothing if the demo district is already loaded (used by `make run`).",
        )

    def handle(self, *args, once: bool = False, **options) -> None:
        if once and demo_data.is_loaded():
            self.stdout.write("Demo data already loaded; skipping (run load_demo without --once to refresh).")
            return
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        # communities first, then every app to its right that has demo data of its own:
        # discovered, so communities never imports the apps that depend on it.
        for config in apps.get_app_configs():
            if config.name == "communities":
                module = demo_data
            else:
                try:
                    module = importlib.import_module(f"{config.name}.demo_data")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo_data":
                        raise
                    continue
            progress(self.style.MIGRATE_HEADING(f"[{config.label}]"))
            module.load(progress)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s."))
