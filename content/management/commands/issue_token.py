"""Create (if needed) a staff user with editorial roles and print only its API token."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from content.choices import Role
from content.exceptions import ContentInvalid
from content.models.editorial import REVIEWER_LABEL
from content.services.profiles import editor_profile_save


class Command(BaseCommand):
    help = (
        "Create USERNAME if needed, add it to each --role group and print only its API token "
        "(for Authorization: Token <key>). --display-name and --credentials set how a "
        "reviewer is credited publicly; the login name never is."
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
        parser.add_argument(
            "--display-name",
            "--name",
            dest="display_name",
            help="The name the public API credits this reviewer's approvals to, e.g. "
            f"'Dr Rita Shah'; without one they are credited as '{REVIEWER_LABEL}'. An empty "
            "value clears it.",
        )
        parser.add_argument(
            "--credentials",
            help="Professional credentials shown after the name, e.g. 'MD, FRCS'. An empty "
            "value clears them.",
        )

    @transaction.atomic
    def handle(self, *args, username: str, role: list[str], display_name=None,
               credentials=None, **options):
        if not username.strip():
            raise CommandError("USERNAME must not be blank.")
        user, _ = get_user_model().objects.get_or_create(username=username)
        if not user.is_staff:  # editorial staff may also sign in to the admin (with a password)
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        for group_name in role:
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
        if display_name is not None or credentials is not None:
            try:
                editor_profile_save(user=user, display_name=display_name,
                                    credentials=credentials)
            except ContentInvalid as error:
                raise CommandError(
                    "; ".join(f"--{e['field'].replace('_', '-')}: {e['message']}"
                              for e in error.errors)
                ) from error
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
