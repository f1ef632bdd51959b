"""The Django admin of the content app: one module per concern, each registering its models.

`documents` is the editors' admin (drafts as revisions, history, compare, revert, review,
publish). Live tables, revisions, reviews and events are deliberately NOT registered: the
only way to content in the admin goes through `DocumentAdmin` and its role checks.
Other admin modules (e.g. for synonyms or webhooks) go beside it and are imported here.
"""

from django.contrib import admin

from content.admin import documents, profiles, synonyms, webhooks  # noqa: F401

# The index shows the "My work" counts above the apps (content/admin/workspace.py).
admin.site.index_template = "admin/content/index.html"
