"""The synthetic history used by the demo and the benchmark."""

import random

from django.db.models import Sum

from communities.demo import data as community_demo
from petitions import demo_data, generator
from petitions.supervision import stats
from petitions.models import DailyStat, Petition


def test_generated_petitions_are_unique_across_batches_and_runs_and_the_rollup_counts_them(db):
    community_demo.load_regions(random.Random(1), lambda message: None)
    community_demo.load_departments(lambda message: None)
    demo_data.load(lambda message: None)  # the catalogue, and the demo's own history
    before = Petition.objects.count()
    generator.generate(2_500, days=20, batch=1_000)
    generator.generate(1_500, days=20, batch=700, seed=7)
    codes = list(Petition.objects.values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes)) == before + 4_000
    stats.rebuild_all()
    assert DailyStat.objects.aggregate(n=Sum("received"))["n"] == Petition.objects.count()
