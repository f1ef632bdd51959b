"""`manage.py purge_edge`: purge the edge cache by surrogate key, through the purge outbox.

`--all` purges every public response (the `all` key): run it after a deploy that changes how
responses are rendered, since the edge keeps what the previous release rendered for up to
HIPKNEE_EDGE_MAX_AGE. `--new-release` does the same once per release (per code fingerprint,
recorded as the purge's reason), and nothing without an edge: `make serve` runs it before
serving. Otherwise name keys (`article:hip-and-knee`, `list:symptom`, `search`). The purge is
queued (so the worker retries it if the edge cannot be reached now) and sent at once; the
command says whether the edge accepted it.
"""

from django.core.management.base import BaseCommand, CommandError

from content.caching import CODE_FINGERPRINT
from content.caching.edge import ALL_KEY, edge_enabled
from content.models import EdgePurge
from content.services.edge import edge_purge_enqueue, edge_purges_send_due


class Command(BaseCommand):
    help = "Purge surrogate keys (or --all) from the edge cache, through the purge outbox."

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="Surrogate keys to purge.")
        parser.add_argument("--all", action="store_true", help="Purge every public response.")
        parser.add_argument(
            "--new-release", action="store_true",
            help="Purge every public response once per release; nothing without an edge.")

    def handle(self, *args, keys: list[str], all: bool, new_release: bool, **options):
        reason = None
        if new_release:
            reason = f"release {CODE_FINGERPRINT}"
            if not edge_enabled():
                self.stdout.write("No edge configured: nothing to purge.")
                return
            if EdgePurge.objects.filter(reason=reason).exists():
                self.stdout.write("The edge was purged for this release already.")
                return
        elif not edge_enabled():
            raise CommandError("No edge is configured (HIPKNEE_EDGE_PURGE_URL is empty).")
        keys = [ALL_KEY] if all or new_release else keys
        if not keys:
            raise CommandError("Name the keys to purge, or --all.")
        purge = edge_purge_enqueue(keys=keys, reason=reason or "purge_edge " + " ".join(keys))
        edge_purges_send_due()
        purge.refresh_from_db()
        if purge.sent_at is None:
            self.stderr.write(f"Queued, not sent yet ({purge.last_error}); the worker retries.")
        else:
            self.stdout.write(f"Purged: {purge.keys}")
