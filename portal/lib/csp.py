"""The current request's CSP nonce, for code that is not handed the request.

django-csp (csp.middleware.CSPMiddleware, policy in settings.CONTENT_SECURITY_POLICY) gives
each request `request.csp_nonce`. Map rendering and form widgets (`{% csp_nonce %}`) do not
always see the request, so `CspNonceMiddleware`, placed after django-csp's, copies the nonce
into a context variable for the time of the request.

django-csp writes the nonce into the header only if something read it during the response,
and its lazy `request.csp_nonce` is falsy until read (`{% if nonce %}` in the DSFR's script
tags would then drop it) and is no `str`. Reading it here, once per request, and putting back
the plain string, keeps every response's policy carrying the nonce its scripts use.
"""

from contextvars import ContextVar

_nonce: ContextVar[str] = ContextVar("csp_nonce", default="")


def current_nonce() -> str:
    """The CSP nonce of the request being served ('' outside a request)."""
    return _nonce.get()


class CspNonceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "csp_nonce"):
            request.csp_nonce = str(request.csp_nonce)
        token = _nonce.set(getattr(request, "csp_nonce", ""))
        try:
            return self.get_response(request)
        finally:
            _nonce.reset(token)
