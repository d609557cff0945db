"""Failure bookkeeping for the shared sweep helper, and the risk sweep's mark: petitions whose
risk is due for assessment. Those the old sweep would have re-read (open, with an overdue red
notice) are marked once here, so the new sweep reaches them."""

from django.conf import settings
from django.db import migrations, models


def mark_petitions_with_late_notices(apps, schema_editor):
    from django.db.models import Q
    from django.utils import timezone

    Petition = apps.get_model("petitions", "Petition")
    Link = apps.get_model("petitions", "PetitionRedNotice")
    late = Link.objects.exclude(notice__status="closed").filter(
        Q(notice__overdue_ack_at__isnull=False) | Q(notice__overdue_checkin_at__isnull=False)
        | Q(notice__overdue_result_at__isnull=False)).values("petition_id")
    Petition.objects.filter(pk__in=late, status__in=["submitted", "accepted", "assigned", "in_progress"]).update(
        risk_due_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0008_sweep_state'),
        ('petitions', '0009_red_alert_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='petition',
            name='risk_due_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='risk to assess since'),
        ),
        migrations.AddField(
            model_name='petition',
            name='sweep_failures',
            field=models.SmallIntegerField(db_default=0, default=0, editable=False, verbose_name='sweep failures'),
        ),
        migrations.AddField(
            model_name='petition',
            name='sweep_retry_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='sweep retries after'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('risk_due_at__isnull', False)), fields=['risk_due_at'], name='petition_risk_due'),
        ),
        migrations.RunPython(mark_petitions_with_late_notices, migrations.RunPython.noop),
    ]
