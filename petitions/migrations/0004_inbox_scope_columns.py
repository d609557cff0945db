"""Inbox scoping, step 1 of 3: the street and district columns (nullable), the running deadline and the
phone's last four digits (both computed by the database)."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0006_scores_and_duty'),
        ('petitions', '0003_risk_and_statistics'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='petition',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='petition',
            name='street',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='street'),
        ),
        migrations.AddField(
            model_name='petition',
            name='due_at',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(status='submitted', then=models.F('accept_due_at')), models.When(status__in=['accepted', 'assigned', 'in_progress'], then=models.F('resolve_due_at')), default=None), output_field=models.DateTimeField(null=True), verbose_name='due'),
        ),
        migrations.AddField(
            model_name='petition',
            name='phone_last4',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Right('resident_phone', 4), output_field=models.CharField(max_length=4)),
        ),
    ]
