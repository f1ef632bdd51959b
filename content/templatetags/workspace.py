"""`{% my_work_summary %}`: the "My work" counts on the admin index
(content/admin/workspace.py)."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/content/document/_my_work_summary.html", takes_context=True)
def my_work_summary(context):
    """The requesting person's "My work" lists with their counts (one query)."""
    from content.admin.workspace import work_summary

    return {"lists": work_summary(context["request"])}
