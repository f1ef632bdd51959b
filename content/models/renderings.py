"""Renderings: public JSON rendered when its content is published (content/caching/renderings.py).

A `Rendering` is the exact JSON body of one public detail or section, as the public API
serves it, with the scheme and host of its absolute URLs left as a placeholder. It is written
after the publish that changed it commits, deleted in the same transaction as any change that
makes it untrue, and served only until `valid_until` and only by the code that rendered it.
It is a derived copy: deleting every row loses nothing.
"""

from django.db import models

from content.types import registry


class Rendering(models.Model):
    """The stored JSON body of one public path (a detail or a section)."""

    path = models.CharField(
        max_length=300, unique=True, help_text="The public path, e.g. /api/v1/symptoms/x/."
    )
    type = models.CharField(
        max_length=16, choices=registry.choices(), help_text="Type of the live row shown."
    )
    row_id = models.PositiveBigIntegerField(help_text="Primary key of the live row shown.")
    depends_on = models.TextField(
        blank=True,
        help_text='Other live rows the body shows or leaves out, as " type:id " tokens; a '
        "change to any of them deletes this rendering.",
    )
    code = models.CharField(
        max_length=32, help_text="Fingerprint of the code that rendered it (CODE_FINGERPRINT)."
    )
    body = models.BinaryField(help_text="The JSON body, with the origin as a placeholder.")
    last_modified = models.DateTimeField(
        null=True, blank=True, help_text="The Last-Modified of the response."
    )
    valid_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When time alone makes it untrue (an expiry, a review falling overdue).",
    )
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["type", "row_id"], name="rendering_row")]

    def __str__(self) -> str:
        return self.path
