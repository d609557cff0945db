"""The on-time check-in panel's running counts (RedNoticeCheckinTally), counted once from the notices
here; from now on the red-notice steps and the deadline sweep keep them."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q


def backfill(apps, schema_editor):
    # The same count as communities.red_notices.services.checkin_tallies_rebuild (COUNTED): a notice
    # counts once checked in or marked late to check in, in its community's, street's and district's row.
    RedNotice = apps.get_model("communities", "RedNotice")
    Tally = apps.get_model("communities", "RedNoticeCheckinTally")
    counted = (~Q(status="draft") & (Q(checked_in_at__isnull=False) | Q(overdue_checkin_at__isnull=False)
                                     | Q(status__in=["checked_in", "reported", "closed"])))
    rows = []
    for column in ("community_id", "street_id", "district_id"):
        rows += [Tally(region_id=row[column], department_id=row["department_id"], due=row["due"], on_time=row["on_time"])
                 for row in RedNotice.objects.filter(counted).values(column, "department_id").annotate(
                     due=Count("pk"), on_time=Count("pk", filter=Q(checkin_on_time=True))).order_by()]
    Tally.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0016_rednotice_issued_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='RedNoticeCheckinTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due', models.PositiveIntegerField(default=0, verbose_name='notices due')),
                ('on_time', models.PositiveIntegerField(default=0, verbose_name='on time')),
            ],
            options={
                'verbose_name': 'on-time check-in count',
                'verbose_name_plural': 'on-time check-in counts',
            },
        ),
        migrations.AddField(
            model_name='rednoticecheckintally',
            name='department',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.department', verbose_name='department'),
        ),
        migrations.AddField(
            model_name='rednoticecheckintally',
            name='region',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='region'),
        ),
        migrations.AddConstraint(
            model_name='rednoticecheckintally',
            constraint=models.UniqueConstraint(fields=('region', 'department'), name='rednotice_tally_unique'),
        ),
        migrations.AddConstraint(
            model_name='rednoticecheckintally',
            constraint=models.CheckConstraint(condition=models.Q(('on_time__lte', models.F('due'))), name='rednotice_tally_on_time_le_due'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
