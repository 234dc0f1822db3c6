"""Keeps the derived location facts in step with the zonings (connected by
`StructuresConfig.ready()`)."""

from structures import derivation
from structures.models import ProfessionnelSoutenu, Structure


def recompute_after_zoning_change(sender, zonage_ids=None, **kwargs):
    """Any zoning may cover any place: recompute every located row (a few ms per thousand)."""
    for model in (Structure, ProfessionnelSoutenu):
        queryset = model.objects.filter(commune__isnull=False) | model.objects.with_point()
        derivation.recompute(queryset)
