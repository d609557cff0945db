"""The narrower inboxes' indexes (a station's, a grid's, a department's) and the foreign keys'
own indexes of the assignee, service point, grid and department hold only the petitions that have
them: a petition filed on the web, with no grid under it, handled by its community and not yet
assigned writes ten fewer index entries. Every lookup of these is an equality, which reads a
partial index as it read the whole one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0018_notification_recipient_without_row_locks'),
        ('petitions', '0023_petition_indexes_only_where_needed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='petition',
            name='petition_point_open',
        ),
        migrations.RemoveIndex(
            model_name='petition',
            name='petition_grid_open',
        ),
        migrations.RemoveIndex(
            model_name='petition',
            name='petition_dept_open',
        ),
        migrations.RemoveIndex(
            model_name='petition',
            name='petition_point_due',
        ),
        migrations.RemoveIndex(
            model_name='petition',
            name='petition_grid_due',
        ),
        migrations.RemoveIndex(
            model_name='petition',
            name='petition_dept_due',
        ),
        migrations.AlterField(
            model_name='petition',
            name='assignee',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_petitions', to=settings.AUTH_USER_MODEL, verbose_name='assignee'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='grid',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='grid_petitions', to='communities.region', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='handler_department',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='petitions', to='communities.department', verbose_name='handling department'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='service_point',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='petitions', to='communities.servicepoint', verbose_name='service point'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('due_at__isnull', False), ('service_point__isnull', False)), fields=['service_point', 'due_at', 'id'], name='petition_point_due'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('service_point__isnull', False), ('status__in', ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved'])), fields=['service_point', '-created_at'], name='petition_point_open'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('due_at__isnull', False), ('grid__isnull', False)), fields=['grid', 'due_at', 'id'], name='petition_grid_due'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('grid__isnull', False), ('status__in', ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved'])), fields=['grid', '-created_at'], name='petition_grid_open'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('due_at__isnull', False), ('handler_department__isnull', False)), fields=['handler_department', 'due_at', 'id'], name='petition_dept_due'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('handler_department__isnull', False), ('status__in', ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved'])), fields=['handler_department', '-created_at'], name='petition_dept_open'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('assignee__isnull', False)), fields=['assignee'], name='petition_assignee'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('service_point__isnull', False)), fields=['service_point'], name='petition_service_point'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('grid__isnull', False)), fields=['grid'], name='petition_grid'),
        ),
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('handler_department__isnull', False)), fields=['handler_department'], name='petition_handler_department'),
        ),
    ]
