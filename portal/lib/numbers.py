"""French figures for pages, map legends and summaries, through Django's localisation.

Thousands are grouped with the narrow no-break space (U+202F) of French typography, set by
the portal's format module (portal/formats/fr, FORMAT_MODULE_PATH), so these figures and
`intcomma` agree. `number_format` truncates extra decimals (2,999 → "2,99"): values are
rounded first.
"""

from decimal import Decimal

from django.utils.formats import number_format

NO_BREAK_SPACE = "\u00a0"


def french_number(value, decimals: int = 0, *, trim: bool = False) -> str:
    """1704316 → "1 704 316"; (3.114, 2) → "3,11"; (0.5, 2, trim=True) → "0,5".

    `trim` drops the decimals' trailing zeros (and the comma when none is left).
    """
    if isinstance(value, float | Decimal):
        value = round(value, decimals)
    text = number_format(value, decimals, use_l10n=True, force_grouping=True)
    if trim and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def euros(value) -> str:
    """12000 → "12 000 €" (no-break space before the sign); None → ""."""
    return "" if value is None else f"{french_number(value)}{NO_BREAK_SPACE}€"
