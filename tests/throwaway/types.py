"""The throwaway type's declaration: the only code besides its model."""

from content.types import ContentTypeSpec, Field, FieldKind
from tests.throwaway.choices import Register

GLOSSARY_TERM = ContentTypeSpec(
    name="glossary_term", label="Glossary term", plural="Glossary terms",
    path="glossary-terms", model="throwaway.GlossaryTerm", title_field="term",
    fields=(
        Field("term", FieldKind.TEXT, "The word explained.", max_length=120),
        Field("definition", FieldKind.PROSE, "What it means, in plain words.", max_length=5000),
        Field("register", FieldKind.CHOICE, "Whose words these are.", choices=Register,
              filter_label="register"),
        Field("see_also", FieldKind.LINES, "Related words.", required=False),
    ),
    description="Words a reader may meet, explained.",
    summary="A glossary.",
    search_names=("see_also",), search_body=("definition",),
)
