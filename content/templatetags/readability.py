"""`{% readability_figures figures %}` and `{% field_readability readability name %}`: the
reading figures of a text (content/readability.py) beside the field or section it measures."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/content/document/_readability.html")
def readability_figures(figures, target=None, label=""):
    """One text's figures: grades, words per sentence, longest sentences."""
    return {"figures": figures, "target": target, "label": label}


@register.inclusion_tag("admin/content/document/_readability.html")
def field_readability(readability, name):
    """The figures of the prose field `name` in a snapshot's readability, if it has any."""
    fields = (readability or {}).get("fields") or {}
    return {"figures": fields.get(name), "target": (readability or {}).get("target_grade"),
            "label": "", "hidden": name not in fields}
