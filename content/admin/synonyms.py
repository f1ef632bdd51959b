"""Admin for search synonym sets: editors list the words a searcher uses interchangeably.

Saving goes through `synonym_save` (content/services/synonyms.py); a change takes effect on
the next search.
"""

from django import forms
from django.contrib import admin

from content.models import Synonym
from content.services.synonyms import synonym_save, synonyms_delete


class TermsField(forms.CharField):
    """A list of terms edited as text, one term per line."""

    widget = forms.Textarea(attrs={"rows": 8, "cols": 60})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class SynonymForm(forms.ModelForm):
    terms = TermsField(
        help_text="One word or phrase per line, at least two, e.g. physio / physiotherapy / "
        "physical therapy. A search for any of them also finds content that uses the others. "
        "Case and word endings do not matter (physios = physio)."
    )

    class Meta:
        model = Synonym
        fields = ["name", "terms"]


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    form = SynonymForm
    list_display = ["name", "terms_list", "updated_at"]
    search_fields = ["name"]
    ordering = ["name"]

    @admin.display(description="Terms")
    def terms_list(self, synonym: Synonym) -> str:
        return " · ".join(synonym.terms)

    def save_model(self, request, obj, form, change):
        synonym_save(synonym=obj)

    def delete_model(self, request, obj):
        synonyms_delete(queryset=Synonym.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        synonyms_delete(queryset=queryset)
