"""A set of choices stored as "|a|b|" text.

Aids target several professions, stages and publics at once. The delimited text
filters the same way on SQLite and PostgreSQL (`contains="|infirmier|"`), which a
JSON list does not, and needs no join table for what are fixed enumerations.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

SEPARATOR = "|"


class MultiChoiceField(models.CharField):
    description = "Ensemble de valeurs parmi des choix"

    def __init__(self, *args, choices_class=None, **kwargs):
        self.choices_class = choices_class
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices_class"] = self.choices_class
        if kwargs.get("max_length") == 300:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    @staticmethod
    def lookup_value(value: str) -> str:
        """The `contains` argument matching one value."""
        return f"{SEPARATOR}{value}{SEPARATOR}"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple | set):
            return list(value)
        return [item for item in value.split(SEPARATOR) if item]

    def get_prep_value(self, value):
        values = self.to_python(value)
        if not values:
            return ""
        return SEPARATOR + SEPARATOR.join(values) + SEPARATOR

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        allowed = {str(v) for v in self.choices_class.values}
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValidationError(
                "Valeur inconnue : %(values)s.",
                code="invalid_choice",
                params={"values": ", ".join(unknown)},
            )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.choices_class.choices,
            "required": not self.blank,
            "widget": forms.CheckboxSelectMultiple,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        defaults.pop("max_length", None)
        defaults.pop("empty_value", None)
        return form_class(**defaults)
