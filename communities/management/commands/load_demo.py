import importlib
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from communities.demo import data as demo_data
from communities.demo.accounts import DEMO_ACCOUNTS


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
        parser.add_argument(
            "--with-demo-logins", action="store_true",
            help="Create the demo logins (a published password) even on a production configuration "
                 "(DEBUG off and a database server named). Never on a live system.",
        )

    def handle(self, *args, once: bool = False, with_demo_logins: bool = False, **options) -> None:
        if once and demo_data.is_loaded():
            self.stdout.write("Demo data already loaded; skipping (run load_demo without --once to refresh).")
            return
        if not (settings.SUQIU_DEMO_LOGINS_ALLOWED or with_demo_logins):
            raise CommandError(
                "This is a production configuration (DEBUG off, DATABASE_URL set): load_demo would create "
                f"{len(DEMO_ACCOUNTS)} accounts, an administrator among them, whose password is published. "
                "Pass --with-demo-logins if this is a demo or staging system and that is what you want."
            )
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
