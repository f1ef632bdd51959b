"""Create (if needed) a staff user with editorial roles and print only its API token."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from content.choices import Role
from content.models import EditorProfile


class Command(BaseCommand):
    help = (
        "Create USERNAME if needed, add it to each --role group and print only its API token "
        "(for Authorization: Token <key>)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            choices=Role.values,
            required=True,
            help="Editorial group to join; repeatable.",
        )
        parser.add_argument("--name", help="Display name credited on reviews.")
        parser.add_argument("--credentials", help="Professional credentials, e.g. 'MD'.")

    @transaction.atomic
    def handle(self, *args, username: str, role: list[str], name=None, credentials=None,
               **options):
        if not username.strip():
            raise CommandError("USERNAME must not be blank.")
        user, _ = get_user_model().objects.get_or_create(username=username)
        if not user.is_staff:  # editorial staff may also sign in to the admin (with a password)
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        for group_name in role:
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
        if name or credentials:
            EditorProfile.objects.update_or_create(
                user=user,
                defaults={"display_name": name or username, "credentials": credentials or ""},
            )
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
