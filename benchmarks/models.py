"""The baseline's one table (created by the benchmark itself; the product never sees it)."""

from django.db import models


class BaselineRow(models.Model):
    category = models.CharField(max_length=40)
    title = models.CharField(max_length=100)
    description = models.TextField()
    community = models.CharField(max_length=32)
    phone = models.CharField(max_length=11)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "benchmarks"
        db_table = "bench_baseline_row"
        managed = False
