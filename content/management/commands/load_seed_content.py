"""Load the seed content in fixtures/seed/ as published revision 1 (idempotent)."""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from content.choices import ContentType
from content.exceptions import ContentError
from content.services.publishing import content_import
from content.services.synonyms import synonyms_import

#: Files in load order: what others link to comes first.
SEED_FILES = [
    (ContentType.CONDITION, "conditions.yaml"),
    (ContentType.CAUSE, "causes.yaml"),
    (ContentType.SYMPTOM, "symptoms.yaml"),
    (ContentType.WARNING_SIGN, "warning_signs.yaml"),
    (ContentType.TREATMENT, "treatments.yaml"),
    (ContentType.ARTICLE, "articles/*.yaml"),
]


def seed_entries(directory: Path):
    """Yield (type, data) for every seed item, in load order."""
    for type_, pattern in SEED_FILES:
        for path in sorted(directory.glob(pattern)):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for entry in data if isinstance(data, list) else [data]:
                yield type_, entry


def seed_synonyms(directory: Path) -> tuple[int, int]:
    """Add the search synonym sets of synonyms.yaml that do not exist yet."""
    path = directory / "synonyms.yaml"
    if not path.exists():
        return 0, 0
    return synonyms_import(entries=yaml.safe_load(path.read_text(encoding="utf-8")) or [])


class Command(BaseCommand):
    help = "Load the seed article and every entity it names as published revision 1."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            default=str(Path(settings.BASE_DIR) / "fixtures" / "seed"),
            help="Folder of seed YAML files (default: fixtures/seed).",
        )

    def handle(self, *args, directory: str, **options):
        created = unchanged = 0
        try:
            with transaction.atomic():
                for type_, data in seed_entries(Path(directory)):
                    _, was_created = content_import(type_=type_, data=data)
                    created += was_created
                    unchanged += not was_created
                synonyms = seed_synonyms(Path(directory))
        except ContentError as error:
            errors = getattr(error, "errors", None)
            raise CommandError(f"{error.detail} {errors or ''}".strip()) from error
        self.stdout.write(f"Seed content: {created} item(s) imported, {unchanged} already present.")
        self.stdout.write("Search synonyms: {} set(s) added, {} already present.".format(*synonyms))
