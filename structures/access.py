"""Row-level permissions: which structures and professionals an agent may see and edit.

Every entry point (admin lists and forms, imports, exports, dashboard) goes through
`perimetre_of()` and `fetch_for_user()`, so the département scope is enforced on the
server whatever the interface shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import Http404

GROUPE_AGENT_REGIONAL = "Agent régional"
GROUPE_AGENT_DEPARTEMENTAL = "Agent départemental"
GROUPE_LECTEUR = "Lecteur"


@dataclass(frozen=True)
class Perimetre:
    """What a user covers: everything, some régions, or some départements (ids)."""

    tout: bool = False
    regions: frozenset[int] = field(default_factory=frozenset)
    departements: frozenset[int] = field(default_factory=frozenset)

    @property
    def vide(self) -> bool:
        return not (self.tout or self.regions or self.departements)

    @property
    def regional(self) -> bool:
        """May handle region-wide records that belong to no département."""
        return self.tout or bool(self.regions)

    def q(self) -> Q:
        """Filter on a model with `region` and `departement` foreign keys."""
        if self.tout:
            return Q()
        if self.departements:
            return Q(departement_id__in=self.departements)
        if self.regions:
            return Q(region_id__in=self.regions)
        return Q(pk__in=[])

    def couvre(self, *, region_id: int | None, departement_id: int | None) -> bool:
        if self.tout:
            return True
        if self.departements:
            return departement_id is not None and departement_id in self.departements
        return region_id is not None and region_id in self.regions

    def couvre_commune(self, commune) -> bool:
        return self.couvre(region_id=commune.region_id, departement_id=commune.departement_id)


AUCUN = Perimetre()
TOUT = Perimetre(tout=True)


def perimetre_of(user) -> Perimetre:
    """Scope of `user`, read from its `ProfilAgent` once per request (cached on the user).

    The profile is read through its reverse accessor (`user.profil_agent`), so this module
    does not import the models (which import the querysets, which import this module).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return AUCUN
    cached = getattr(user, "_perimetre_structures", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        perimetre = TOUT
    else:
        try:
            profil = user.profil_agent
        except ObjectDoesNotExist:
            perimetre = AUCUN
        else:
            deps = frozenset(profil.departements.values_list("pk", flat=True))
            if deps:
                perimetre = Perimetre(departements=deps)
            elif profil.region_id:
                perimetre = Perimetre(regions=frozenset({profil.region_id}))
            else:
                perimetre = AUCUN
    user._perimetre_structures = perimetre
    return perimetre


def fetch_for_user(queryset, user, pk):
    """The object `pk` of `queryset` if `user` may see it, else Http404 (never 403: no leak)."""
    try:
        return queryset.for_user(user).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Cet enregistrement n'existe pas ou n'est pas dans votre périmètre.") from exc
