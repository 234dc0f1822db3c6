"""`{% csp_nonce %}`: the current request's CSP nonce, for templates rendered without the request
(form widgets such as a map picker in the admin)."""

from django import template

from portal.lib.csp import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce() -> str:
    return current_nonce()
