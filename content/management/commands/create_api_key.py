"""Create an API key for a third-party app and print only the key (its hash is all we keep)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rest_framework_api_key.models import APIKey

#: APIKey.name is at most this long.
MAX_NAME_LENGTH = 50


class Command(BaseCommand):
    help = (
        "Create an API key named NAME (the app or integrator it is for) and print only the key, "
        "for the X-API-Key header. It is shown once: only its hash is stored. Revoke it in the "
        "admin (API keys)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the key is for, e.g. 'Acme Health app' (1-50 chars).")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            help="Days until the key stops working; by default it never expires.",
        )

    def handle(self, *args, name: str, expires_in_days: int | None = None, **options):
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise CommandError(f"NAME must be 1 to {MAX_NAME_LENGTH} characters.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expiry_date = (
            timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        )
        _, key = APIKey.objects.create_key(name=name, expiry_date=expiry_date)
        self.stdout.write(key)
