"""French formats of the portal, over Django's own "fr" ones.

Thousands are grouped with the narrow no-break space (U+202F) of French typography, the one
the portal's texts use: `intcomma`, `number_format` and `portal.lib.numbers` then agree.
"""

THOUSAND_SEPARATOR = "\u202f"
