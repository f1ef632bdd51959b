from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Structured health content: live tables, revisions, review and publishing."""

    name = "content"
    verbose_name = "Health content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The API renders what publishing stores (content/caching/renderings.py); the core
        # never imports the API, so the API registers its renderer here.
        from content.api import renderings  # noqa: F401
        from content.jsonld import page_urls_check

        page_urls_check()  # a misconfigured HIPKNEE_PAGE_URLS stops the start, with why
