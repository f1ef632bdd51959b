"""The readability figures of a revision in the editorial API (content/readability.py): the
same figures the admin shows beside each field and section while editing."""

from rest_framework import serializers


class SentenceSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The sentence, as plain text.")
    words = serializers.IntegerField(help_text="How many words it has.")


class TextReadabilitySerializer(serializers.Serializer):
    flesch_kincaid_grade = serializers.FloatField(
        help_text="Flesch–Kincaid grade level (US school grade), one decimal."
    )
    coleman_liau_index = serializers.FloatField(
        help_text="Coleman–Liau index (US school grade), one decimal."
    )
    words = serializers.IntegerField()
    sentences = serializers.IntegerField(
        help_text="Sentences; every paragraph, list entry and item ends one."
    )
    words_per_sentence = serializers.FloatField()
    longest_sentences = SentenceSerializer(many=True, help_text="At most three, longest first.")
    above_target = serializers.BooleanField(
        help_text="Whether the Flesch–Kincaid grade exceeds target_grade."
    )


class SectionReadabilitySerializer(serializers.Serializer):
    kind = serializers.CharField()
    heading = serializers.CharField(allow_null=True)
    readability = TextReadabilitySerializer(
        allow_null=True, help_text="Its body and its items' texts; null without words."
    )


class ReadabilitySerializer(serializers.Serializer):
    target_grade = serializers.FloatField(
        help_text="The grade texts should not exceed (setting HIPKNEE_READING_GRADE_TARGET)."
    )
    overall = TextReadabilitySerializer(
        allow_null=True, help_text="Everything a reader reads of the item; null without words."
    )
    fields = serializers.DictField(
        child=TextReadabilitySerializer(allow_null=True),
        help_text="Each prose field (an article's summary, an entity's description, …) by name.",
    )
    sections = SectionReadabilitySerializer(many=True, help_text="An article's sections.")
