import unicodedata

from django.core.management.base import BaseCommand, CommandError

from communities.network.coverage import compute_coverage
from communities.models import Region


def pad(text: str, width: int) -> str:
    """Left-align in a terminal column: CJK characters take two cells."""
    cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cells)


class Command(BaseCommand):
    help = (
        "Sample the district on a regular grid and report, per street, the share of points with a "
        "service point within the radius, and the largest gaps where a new station would help most."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--radius", type=float, default=500, help="walking radius in metres (500)")
        parser.add_argument("--spacing", type=float, default=100, help="grid spacing in metres (100)")
        parser.add_argument("--gaps", type=int, default=10, help="how many gaps to list (10)")

    def handle(self, *args, radius: float, spacing: float, gaps: int, **options) -> None:
        if radius <= 0 or spacing <= 0 or gaps < 0:
            raise CommandError("--radius and --spacing must be positive, --gaps not negative.")
        if not Region.objects.filter(level=Region.Level.DISTRICT, boundary__isnull=False).exists():
            raise CommandError("No district outline: run `python manage.py load_demo` first.")
        self.stdout.write(f"Sampling the district every {spacing:.0f} m…")
        report = compute_coverage(radius_m=radius, spacing_m=spacing, gaps=gaps,
                                  progress=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(f"Share of the district within {radius:.0f} m of a service point "
                          f"({report.points} active points):")
        self.stdout.write(f"  {pad('street', 10)} {'points':>8} {'covered':>8} {'share':>8}")
        for street in report.streets:
            self.stdout.write(f"  {pad(street.name, 10)} {street.sampled:>8} {street.covered:>8} "
                              f"{street.share:>8.1%}")
        self.stdout.write(f"  {pad('total', 10)} {report.sampled:>8} {report.covered:>8} {report.share:>8.1%}")
        self.stdout.write("")
        self.stdout.write("Largest gaps (at least 1 km apart), where a new station would help most:")
        for rank, gap in enumerate(report.gaps, start=1):
            self.stdout.write(f"  {rank:>2}. {gap.lat:.5f}, {gap.lng:.5f}  {gap.street} {gap.community}  "
                              f"nearest point {gap.distance_m:,.0f} m away")
        self.stdout.write(f"\nDone in {report.seconds:.1f} s.")
