"""Store the rendered JSON of every published detail and section that lacks a current one."""

from django.core.management.base import BaseCommand, CommandError

from content.caching import renderings


class Command(BaseCommand):
    help = (
        "Render and store the public JSON of every published detail and section whose stored "
        "copy is missing, no longer true or from other code. Run it after a deploy (bodies "
        "rendered by the previous release are never served) and, if you like, from cron; "
        "publishing keeps them current otherwise."
    )

    def handle(self, *args, **options):
        if not renderings.enabled():
            raise CommandError("HIPKNEE_STORED_RENDERINGS is off.")
        rendered, deleted = renderings.renderings_refresh()
        self.stdout.write(f"{rendered} item(s) rendered, {deleted} stale rendering(s) removed.")
