"""Field and widget helpers shared by the admin's forms."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class TextField(forms.CharField):
    """A CharField that stores browser line endings (CRLF) as plain newlines."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class FastSelect(forms.Select):
    """A <select> rendered in Python: an article's form has ~60 item rows whose "Links to"
    selects hold every entity, and Django's one-template-per-option rendering made that
    page take over a second."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value])
                    if v is not None}
        parts = [f"<select{flatatt(attrs)}>"]
        for group, options in self._grouped(self.choices):
            if group is not None:
                parts.append(f'<optgroup label="{escape(str(group))}">')
            for option_value, label in options:
                option_value = "" if option_value is None else str(option_value)
                mark = " selected" if option_value in selected else ""
                parts.append(
                    f'<option value="{escape(option_value)}"{mark}>{escape(str(label))}</option>'
                )
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value and label escaped above

    @staticmethod
    def _grouped(choices):
        ungrouped = []
        for value, label in choices:
            if isinstance(label, (list, tuple)):
                if ungrouped:
                    yield None, ungrouped
                    ungrouped = []
                yield value, label
            else:
                ungrouped.append((value, label))
        if ungrouped:
            yield None, ungrouped


def textarea(rows: int = 3, cols: int = 80) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": cols})


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def with_blank(choices, label: str = "—") -> list:
    return [("", label), *choices]
