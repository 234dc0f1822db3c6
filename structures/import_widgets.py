"""Cell converters for spreadsheet imports and exports, with errors an agent understands.

Spreadsheets written by hand mix "1 234,50 €" and "1234.5", "23/02/2018" and real dates,
labels and codes, "77379" and 77379.0: each widget accepts all of them and says in French
what it expected when it cannot read a cell (the import then reports the row and the column).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from import_export import widgets

from territoires.models import Commune, Region
from territoires.text import normalize_name


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class ChoiceWidget(widgets.Widget):
    """A TextChoices value, given as its code ("msp") or its label ("Maison de santé…")."""

    def __init__(self, choices, default=None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.default = default
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[normalize_name(value)] = value
            self.lookup[normalize_name(label)] = value

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            if self.default is not None:
                return self.default
            raise ValueError("Valeur obligatoire.")
        found = self.lookup.get(normalize_name(_text(value)))
        if found is None:
            expected = ", ".join(f"« {label} »" for label in self.choices.labels)
            raise ValueError(f"« {value} » n'est pas reconnu. Valeurs possibles : {expected}.")
        return found

    def render(self, value, obj=None, **kwargs):
        return self.choices(value).label if value in self.choices.values else (value or "")


class CommuneWidget(widgets.ForeignKeyWidget):
    """A commune by INSEE code; codes that lost their leading zero (1001 → 01001) are fixed."""

    def __init__(self, **kwargs):
        super().__init__(Commune, field="code", **kwargs)
        self._cache: dict[str, Commune | None] = {}

    @staticmethod
    def normalize(value) -> str:
        code = _text(value).upper()
        return "0" + code if code.isdigit() and len(code) == 4 else code

    def prefetch(self, values) -> None:
        """Load every commune named in a column in one query (big files: one per row else)."""
        codes = {self.normalize(v) for v in values if not _blank(v)} - set(self._cache)
        found = Commune.objects.select_related("departement", "region", "parent").filter(
            code__in=codes
        )
        self._cache.update(dict.fromkeys(codes))
        self._cache.update({c.code: c for c in found})

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        code = self.normalize(value)
        if code not in self._cache:
            self.prefetch([code])
        commune = self._cache[code]
        if commune is None:
            raise ValueError(f"Code commune INSEE « {value} » inconnu (5 caractères, ex. 77379).")
        return commune

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class RegionWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Region, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = _text(value)
        region = Region.objects.filter(code=text).first()
        if region is None:
            for candidate in Region.objects.all():
                if normalize_name(candidate.nom) == normalize_name(text):
                    return candidate
            raise ValueError(f"Région « {value} » inconnue (code INSEE, ex. 11, ou nom).")
        return region

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class SlugListWidget(widgets.ManyToManyWidget):
    """Aids by their identifier (slug), separated by commas."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return self.model.objects.none()
        slugs = [s.strip() for s in re.split(r"[,;]", _text(value)) if s.strip()]
        found = self.model.objects.filter(slug__in=slugs)
        missing = sorted(set(slugs) - {obj.slug for obj in found})
        if missing:
            raise ValueError(f"Aide(s) inconnue(s) : {', '.join(missing)}.")
        return found


class SlugWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        obj = self.model.objects.filter(slug=_text(value)).first()
        if obj is None:
            raise ValueError(f"Aide « {value} » inconnue (indiquez son identifiant).")
        return obj


_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f€]")


def parse_decimal(value) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"« {value} » n'est pas un nombre.")
    text = str(value) if isinstance(value, (int, float, Decimal)) else _NUMBER_JUNK.sub("", value)
    if "," in text and "." in text:
        # The rightmost separator is the decimal one: 1.234,50 or 1,234.50.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"« {value} » n'est pas un nombre (ex. 12 500,50).")
    return number


class MontantWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        amount = parse_decimal(value)
        if amount is not None and amount < 0:
            raise ValueError("Le montant ne peut pas être négatif.")
        return amount

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}".replace(".", ",")


class CoordonneeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        number = parse_decimal(value)
        return None if number is None else float(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.6f}"


class EntierWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        number = parse_decimal(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(f"« {value} » n'est pas un nombre entier.")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value).split(" ")[0]
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"« {value} » n'est pas une date (format JJ/MM/AAAA, ex. 23/02/2018).")

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class OuiNonWidget(widgets.Widget):
    """Export only: a flag as « oui » / « non »."""

    def render(self, value, obj=None, **kwargs):
        return "oui" if value else "non"


class TexteWidget(widgets.Widget):
    """Free text; a number typed in a spreadsheet (12345.0) comes back as "12345"."""

    def clean(self, value, row=None, **kwargs):
        return "" if _blank(value) else _text(value)

    def render(self, value, obj=None, **kwargs):
        return value or ""
