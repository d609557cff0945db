"""The administrator's list of every red notice, newest first (the model's default order): an index
it walks and stops after a page, instead of sorting every notice."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0015_red_notice_scope_constrain'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='rednotice',
            index=models.Index(fields=['-issued_at', '-id'], name='rednotice_issued'),
        ),
    ]
