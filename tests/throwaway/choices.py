"""The throwaway type's closed vocabulary (importable before models, as content.choices)."""

from django.db import models


class Register(models.TextChoices):
    PLAIN = "plain", "Plain English"
    CLINICAL = "clinical", "Clinical"
