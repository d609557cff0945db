"""Red-notice lists, step 3 of 3: every notice has its street and district; the list indexes."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0014_red_notice_scope_backfill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='rednotice',
            name='district',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='district'),
        ),
        migrations.AlterField(
            model_name='rednotice',
            name='street',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='street'),
        ),
        migrations.AddIndex(
            model_name='rednotice',
            index=models.Index(fields=['district', 'list_rank', '-issued_at', '-id'], name='rednotice_district_list'),
        ),
        migrations.AddIndex(
            model_name='rednotice',
            index=models.Index(fields=['street', 'list_rank', '-issued_at', '-id'], name='rednotice_street_list'),
        ),
        migrations.AddIndex(
            model_name='rednotice',
            index=models.Index(fields=['community', 'list_rank', '-issued_at', '-id'], name='rednotice_community_list'),
        ),
        migrations.AddIndex(
            model_name='rednotice',
            index=models.Index(fields=['department', 'list_rank', '-issued_at', '-id'], name='rednotice_department_list'),
        ),
    ]
