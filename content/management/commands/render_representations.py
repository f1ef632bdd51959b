"""Store the rendered JSON of every published detail and section that lacks a current one."""

from django.core.management.base import BaseCommand, CommandError

from content import representations


class Command(BaseCommand):
    help = (
        "Render and store the public JSON of every published detail and section whose stored "
        "copy is missing, no longer true or from other code. Run it after a deploy (bodies "
        "rendered by the previous release are never served) and, if you like, from cron; "
        "publishing keeps them current otherwise."
    )

    def handle(self, *args, **options):
        if not representations.enabled():
            raise CommandError("HIPKNEE_STORED_RENDERINGS is off.")
        rendered, deleted = representations.representations_refresh()
        self.stdout.write(f"{rendered} item(s) rendered, {deleted} stale rendering(s) removed.")
