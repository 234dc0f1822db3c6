"""Keeps the derived location facts in step with the zonings."""

from django.dispatch import receiver

from territoires.signals import zonages_changed

from . import derivation


@receiver(zonages_changed, dispatch_uid="structures-recompute-zones")
def recompute_after_zoning_change(sender, zonage_ids=None, **kwargs):
    """Any zoning may cover any place: recompute every located row (a few ms per thousand)."""
    from .models import ProfessionnelSoutenu, Structure

    for model in (Structure, ProfessionnelSoutenu):
        queryset = model.objects.filter(commune__isnull=False) | model.objects.with_point()
        derivation.recompute(queryset)
