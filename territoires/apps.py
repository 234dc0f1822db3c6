from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TerritoiresConfig(AppConfig):
    name = "territoires"
    verbose_name = "Territoires et zonages"

    def ready(self):
        from territoires import locator
        from territoires.models import CategorieZone, Contour, Zonage, Zone, ZoneCommune
        from territoires.zonages import index
        from territoires.zonages.sections import register_sections
        from territoires.zonages.signals import zonages_changed

        register_sections()
        _register_background_import()
        # The per-process indexes are dropped as soon as what they are built from changes here.
        post_save.connect(locator.invalidate, sender=Contour, dispatch_uid="locator-contour-saved")
        post_delete.connect(
            locator.invalidate, sender=Contour, dispatch_uid="locator-contour-deleted"
        )
        for model in (Zonage, CategorieZone, Zone, ZoneCommune):
            name = model.__name__
            post_save.connect(index.reset_index, sender=model, dispatch_uid=f"zones-reset-{name}")
            post_delete.connect(index.reset_index, sender=model, dispatch_uid=f"zones-del-{name}")
        zonages_changed.connect(index.reset_index, dispatch_uid="zones-reset-signal")


def _register_background_import():
    """Acts of more than IMPORT_TASK_THRESHOLD territories are written by the worker."""
    from portal.lib.background_import import register
    from territoires.models import Zonage
    from territoires.zonages.admin_import import import_in_background

    register(Zonage, import_in_background)
