"""Keeps the derived location facts in step with the zonings."""

from django.dispatch import receiver

from structures import derivation
from territoires.zonages.signals import zonages_changed


@receiver(zonages_changed, dispatch_uid="structures-recompute-zones")
def recompute_after_zoning_change(sender, zonage_ids=None, **kwargs):
    """Any zoning may cover any place: recompute every located row (a few ms per thousand)."""
    from structures.models import ProfessionnelSoutenu, Structure

    for model in (Structure, ProfessionnelSoutenu):
        queryset = model.objects.filter(commune__isnull=False) | model.objects.with_point()
        derivation.recompute(queryset)
