"""The edge purge outbox (content/services/edge.py).

An `EdgePurge` names the surrogate keys (content/caching/edge.py) whose cached responses an
edge cache must drop. It is written in the transaction whose change makes them untrue (a
change-feed entry, a synonym change), so a purge exists exactly when the change committed;
it is sent after the commit (at once, and by the worker, `manage.py deliver_webhooks`, with
retries) and never given up: a purge that cannot be sent stays pending, logged and reported
by /readyz. One for a future feed entry (a scheduled expiry) is due at that moment.
"""

from django.db import models
from django.db.models import Q

from content.models.syndication import Change


class EdgePurge(models.Model):
    """Surrogate keys to purge from the edge, and the attempts so far."""

    keys = models.TextField(help_text="The surrogate keys to purge, separated by spaces.")
    reason = models.CharField(
        max_length=200, help_text="What changed, e.g. `updated article:hip-and-knee`."
    )
    change = models.ForeignKey(
        Change, null=True, blank=True, on_delete=models.CASCADE, related_name="edge_purges",
        help_text="The change-feed entry it purges for (a future entry that is cancelled "
        "takes its purge with it).",
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts made so far.")
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When it may be sent next; null once it was sent."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When every edge accepted it; null while pending."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True),
                         name="edge_purge_due"),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else f"pending after {self.attempts} attempt(s)"
        return f"purge {self.keys} ({state})"
