"""Red-notice lists, step 1 of 3: the street and district columns (nullable) and the list order, kept by the
database from the status and the overdue marks."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0012_notification_fewer_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='rednotice',
            name='district',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='rednotice',
            name='street',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='street'),
        ),
        migrations.AddField(
            model_name='rednotice',
            name='list_rank',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(status='closed', then=models.Value(2)), models.When(models.Q(('overdue_ack_at__isnull', False), ('overdue_checkin_at__isnull', False), ('overdue_result_at__isnull', False), _connector='OR'), then=models.Value(0)), default=models.Value(1)), output_field=models.SmallIntegerField(), verbose_name='list order'),
        ),
    ]
