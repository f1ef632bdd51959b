"""The test settings plus one throwaway content type: its app (the model) and its
declaration. Tables are made from the models (no migrations), so the document table's type
constraint names the new type too."""

from hipknee_api.settings.test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.throwaway"]  # noqa: F405
HIPKNEE_EXTRA_CONTENT_TYPES = ["tests.throwaway.types.GLOSSARY_TERM"]
MIGRATION_MODULES = {"content": None, "throwaway": None}
