"""Building blocks of the /api/v1/ routers (django-ninja): what every answer and parameter shares.

Answers are described by ninja schemas (the OpenAPI description is generated from them) but
written by the owners' serializers and sent as they are (portal.lib.responses): the contract
tests (openapi-core) hold the two together. A `Strict` schema names every key
(`additionalProperties: false`), so a key added to a serializer fails the contract until it
is described.

Query parameters are read as text: each endpoint's French validator of record (a form or a
FilterSet shared with the pages and downloads) judges them, so a bad value gets the same
message on the page, in a download and in the API. `accepts` says in the description what
the validator takes.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, WithJsonSchema

# The media type of GeoJSON answers (RFC 7946), said in the description by `example(media=…)`.
GEOJSON = "application/geo+json"
MEDIA_MARK = "x-media"  # replaced by the real media type when the description is generated

STRING, INTEGER, NUMBER = {"type": "string"}, {"type": "integer"}, {"type": "number"}


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Open(Schema):
    """An answer written by a feature that adds keys over time: the named ones are promised."""

    model_config = ConfigDict(extra="allow")


class Licence(Strict):
    nom: str
    url: Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class Erreur(Strict):
    erreur: str
    details: list[str] | dict[str, list[str]] | None = None


class Reference(Strict):
    code: str
    nom: str


def enum(choices) -> dict:
    """The values of a Django `TextChoices`, as a JSON schema."""
    return {"type": "string", "enum": [str(value) for value in choices.values]}


def accepts(schema: dict = STRING) -> Any:
    """A query parameter read as text, described as `schema` (what its validator accepts)."""
    return Annotated[str | None, WithJsonSchema(schema)]


def accepts_many(schema: dict = STRING) -> Any:
    """A repeatable query parameter (`?type=a&type=b`)."""
    return Annotated[list[str], WithJsonSchema({"type": "array", "items": schema})]


def param(description: str, example=None, default=None) -> Any:
    """The description (and example) of a query parameter."""
    extra = {"example": example} if example is not None else None  # OpenAPI's, not a list
    return Field(default, description=description, json_schema_extra=extra)


def example(url: str = "", media: str | None = None) -> dict:
    """`openapi_extra` of an operation: the example shown on /donnees/api/, its media type."""
    extra: dict = {"x-exemple": url}
    if media:
        extra[MEDIA_MARK] = media
    return extra
