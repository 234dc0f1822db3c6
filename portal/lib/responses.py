"""The JSON answers of the open-data API: one body format, one French 400, one 404.

Every JSON endpoint (the /api/v1/ routers, the NUL-byte guard, the commune autocomplete)
answers through these, so a client reads one kind of error everywhere.
"""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse

BAD_REQUEST = "Paramètres invalides : corrigez-les ou retirez-les."
# Accents stay readable in the body (UTF-8), as the downloads are.
JSON_PARAMS = {"ensure_ascii": False}


def json_response(body, status=200, content_type="application/json", headers=None):
    return JsonResponse(
        body,
        status=status,
        safe=False,
        json_dumps_params=JSON_PARAMS,
        content_type=content_type,
        headers=headers,
    )


def bad_request(details: list | dict) -> JsonResponse:
    """400 with `details`: a list of messages, or messages by parameter name."""
    return json_response({"erreur": BAD_REQUEST, "details": details}, status=400)


def error(message: str, status: int) -> JsonResponse:
    """An error told in one sentence (`{"erreur": …}`), without details."""
    return json_response({"erreur": message}, status=status)


def not_found(message: str) -> JsonResponse:
    return error(message, status=404)


def first_errors(*forms_or_filtersets) -> list[str]:
    """Every error message of the given forms, flattened, for a French 400 answer."""
    messages = []
    for item in forms_or_filtersets:
        form = getattr(item, "form", item)
        for field_name, errors in form.errors.items():
            label = form.fields[field_name].label if field_name in form.fields else None
            for error in errors:
                messages.append(f"{label} : {error}" if label else str(error))
    return messages


def unknown_params(request, names) -> JsonResponse | None:
    """400 for a query parameter outside `names`: a typo must not widen a query."""
    unknown = sorted(set(request.GET) - set(names))
    if not unknown:
        return None
    allowed = ", ".join(names) or "aucun"
    message = f"Paramètre inconnu (paramètres acceptés : {allowed})."
    return bad_request({key[:40]: [message] for key in unknown})


def known_params(*names):
    """View decorator: `unknown_params` before the view runs."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return unknown_params(request, names) or view(request, *args, **kwargs)

        return wrapper

    return decorator
