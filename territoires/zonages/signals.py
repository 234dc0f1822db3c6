"""Signals other apps listen to, so that territoires never imports them."""

from django.dispatch import Signal

# Sent once a change to zonings is committed (import, admin edit, demo load).
# Receivers recompute what they derive from zones (e.g. structures' QPV/rural flags).
# kwargs: zonage_ids (list[int] | None — None means "anything may have changed").
zonages_changed = Signal()
