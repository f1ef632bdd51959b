"""The edge purge outbox (issue #19): `EdgePurge`, one row per set of surrogate keys to purge
from an edge cache, written in the transaction of the change that makes them untrue and sent
by the worker (content/services/edge.py). Handwritten; named 0018 for the merge (the lead
renumbers), it depends on the newest migration of this branch.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0016_entity_conditions'),
    ]

    operations = [
        migrations.CreateModel(
            name='EdgePurge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('keys', models.TextField(help_text='The surrogate keys to purge, separated by spaces.')),
                ('reason', models.CharField(help_text='What changed, e.g. `updated article:hip-and-knee`.', max_length=200)),
                ('attempts', models.PositiveIntegerField(default=0, help_text='Attempts made so far.')),
                ('next_attempt_at', models.DateTimeField(blank=True, help_text='When it may be sent next; null once it was sent.', null=True)),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True, help_text='Why the last attempt failed.')),
                ('sent_at', models.DateTimeField(blank=True, help_text='When every edge accepted it; null while pending.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('change', models.ForeignKey(blank=True, help_text='The change-feed entry it purges for (a future entry that is cancelled takes its purge with it).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='edge_purges', to='content.change')),
            ],
            options={
                'ordering': ['created_at', 'id'],
                'indexes': [models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['next_attempt_at'], name='edge_purge_due')],
            },
        ),
    ]
