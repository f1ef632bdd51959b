"""`manage.py deliver_webhooks`: the worker that sends queued webhook deliveries and edge purges.

Without options it polls for ever (every `--interval` seconds, default 1): each round sends
every delivery that is due — new events, retries whose backoff has passed, expiries whose
moment has come. `--once` does one round (until nothing is due) and exits, for cron and
tests. Several workers may run at once: each claims one delivery at a time (SKIP LOCKED on
PostgreSQL) for longer than its attempt can take, so each claim is sent once.

With an edge cache configured (HIPKNEE_EDGE_PURGE_URL) each round also sends the due edge
purges (content/services/edge.py): those a publishing process could not send after its commit,
retries, and purges of scheduled expiries whose moment has come.
"""

import signal
import time

from django.core.management.base import BaseCommand

from content.choices import DeliveryStatus
from content.services.edge import edge_purges_send_due
from content.services.webhooks import deliveries_send_due

BATCH = 50


class Command(BaseCommand):
    help = "Send due webhook deliveries and edge purges: once (--once) or in a polling loop."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Send what is due now, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0,
            help="Seconds between polls in the loop (default 1).",
        )

    def handle(self, *args, once: bool, interval: float, **options):
        self._stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            self.stdout.write(f"Delivering webhooks every {interval:g} s; Ctrl-C stops.")
        while True:
            sent = self._round()
            if once or self._stopping:
                if once:
                    self.stdout.write(f"{sent} delivery attempt(s).")
                return
            if not sent:
                time.sleep(interval)

    def _round(self) -> int:
        """Send due deliveries until none is left; the number of attempts made."""
        total = 0
        while not self._stopping:
            done = deliveries_send_due(limit=BATCH)
            for delivery in done:
                outcome = (
                    "delivered" if delivery.status == DeliveryStatus.SUCCEEDED
                    else f"failed ({delivery.last_error or 'no answer'})"
                )
                self.stdout.write(
                    f"{delivery.event} {delivery.pk} → {delivery.subscription.url}: {outcome}, "
                    f"attempt {delivery.attempts}"
                )
            purged = edge_purges_send_due()
            for purge in purged:
                outcome = "sent" if purge.sent_at else f"failed ({purge.last_error})"
                self.stdout.write(f"edge purge {purge.pk} [{purge.keys}]: {outcome}, "
                                  f"attempt {purge.attempts}")
            total += len(done) + len(purged)
            if not done and not any(purge.sent_at for purge in purged):
                break
        return total

    def _stop(self, signum, frame):
        self._stopping = True
