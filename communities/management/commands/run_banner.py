import os

from django.conf import settings
from django.core.management.base import BaseCommand

from communities.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the address of the running site and the demo logins (used by `make run`)."

    def handle(self, *args, **options) -> None:
        port = os.environ.get("PORT", "8000")
        line = "=" * 64
        self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"  Suqiu is starting at http://127.0.0.1:{port}/"))
        self.stdout.write(f"  Admin: http://127.0.0.1:{port}/admin/   API docs: http://127.0.0.1:{port}/api/docs/")
        database = "SQLite under var/ (embedded default)" if settings.SUQIU_EMBEDDED else "DATABASE_URL"
        self.stdout.write(f"  DEBUG={settings.DEBUG}  HTTPS={settings.HTTPS}  database: {database}")
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in DEMO_ACCOUNTS.items():
            self.stdout.write(f"    {username:<18} {what}")
        self.stdout.write("  Web server, Celery worker and Celery beat run below; Ctrl-C stops all.")
        self.stdout.write(line)
