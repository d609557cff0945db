from django.core.management.base import BaseCommand, CommandError

from communities.core.holiday_calendar import holidays_import


class Command(BaseCommand):
    help = ("Import a year's public holidays and make-up working days (调休) from the chinesecalendar package "
            "into the holiday calendar. Idempotent; days entered by hand in the admin are kept.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("years", nargs="+", type=int, help="e.g. 2027")

    def handle(self, *args, years: list[int], **options) -> None:
        for year in years:
            if not 1900 <= year <= 2999:
                raise CommandError(f"{year} is not a year.")
            result = holidays_import(year=year)
            if not result.known:
                self.stderr.write(self.style.WARNING(
                    f"{year}: the chinesecalendar package does not know this year's schedule; nothing imported. "
                    f"Upgrade the package once it has it, or enter the holidays and make-up days in the admin."))
                continue
            self.stdout.write(self.style.SUCCESS(
                f"{year}: {result.days_off} days off and {result.workdays} make-up working days; "
                f"{result.created} added, {result.updated} corrected, {result.unchanged} already there."))
