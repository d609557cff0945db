"""Inbox scoping, step 3 of 3: every petition has its street and district; the inbox indexes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("petitions", "0005_inbox_scope_backfill")]

    operations = [
        migrations.AlterField(
            model_name="petition",
            name="district",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="communities.region", verbose_name="district"),
        ),
        migrations.AlterField(
            model_name="petition",
            name="street",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="communities.region", verbose_name="street"),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('due_at__isnull', False)), fields=['district', 'due_at'], name='petition_district_due'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('status__in', ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved'])), fields=['district', '-created_at'], name='petition_district_open'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(fields=['district', '-created_at'], name='petition_district_new'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('due_at__isnull', False)), fields=['street', 'due_at'], name='petition_street_due'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('status__in', ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved'])), fields=['street', '-created_at'], name='petition_street_open'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(fields=['street', '-created_at'], name='petition_street_new'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('due_at__isnull', False)), fields=['community', 'due_at'], name='petition_community_due'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('status__in', ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved'])), fields=['community', '-created_at'], name='petition_community_open'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(fields=['community', '-created_at'], name='petition_community_new'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(fields=['phone_last4'], name='petition_phone_last4'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(fields=['resident_name'], name='petition_name_prefix', opclasses=['varchar_pattern_ops']),
        ),
    ]
