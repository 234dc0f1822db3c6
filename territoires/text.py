"""Name normalisation shared by imports (stored form) and searches (query form)."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’‘`´.,/()]+")
_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(value: str) -> str:
    """Lower case, no accents, words separated by one space, "saint" written "st".

    "Saint-Denis", "saint denis", "ST DENIS" and "St-Denis" all give "st denis".
    """
    words = _SEPARATORS.split(strip_accents(value or "").lower())
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words if word)
