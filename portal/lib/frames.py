"""Pages kept per process around the parts each request changes.

A page whose filters change only some blocks (the form, the figures, the table) is rendered
once with a mark in place of each block (`mark(name)`), kept in this process under a key
that names everything else the page reads (data version, place, address), and each request
puts its own blocks in, with its CSP nonce. The blocks go in in one pass: a mark typed by an
agent in a block's text is left as it is. A page where a mark does not come out exactly once
(the same text in a name shown around the blocks) is not kept: it is rendered whole.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe

KEPT = 512
NONCE = "nonce"
_kept: dict[tuple, str | None] = {}


def mark(name: str) -> SafeString:
    return mark_safe(f"\x00{name}\x00")


def kept(key: tuple, render, names, nonce: str) -> str | None:
    """The page of `key` with its marks (the nonce marked too), rendered by `render()` on
    first use; None when it cannot be kept (see the module's docstring)."""
    if key in _kept:
        return _kept[key]
    html = render()
    if nonce:
        html = html.replace(nonce, mark(NONCE))
    if any(html.count(mark(name)) != 1 for name in names) or "\x00" in _without(html, names):
        html = None
    if len(_kept) >= KEPT:
        _kept.clear()
    _kept[key] = html
    return html


def fill(frame: str, parts: dict[str, str], nonce: str) -> SafeString:
    values = {**parts, NONCE: nonce}
    return mark_safe(re.sub("\x00([a-z-]+)\x00", lambda m: values[m.group(1)], frame))


def forget() -> None:
    """Tests: a rolled-back transaction can bring an earlier data version back."""
    _kept.clear()


def _without(html: str, names) -> str:
    for name in (*names, NONCE):
        html = html.replace(mark(name), "")
    return html
