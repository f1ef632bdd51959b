from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Structured health content: live tables, revisions, review and publishing."""

    name = "content"
    verbose_name = "Health content"
    default_auto_field = "django.db.models.BigAutoField"
