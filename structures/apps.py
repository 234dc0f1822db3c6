from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "structures"
    verbose_name = "Structures et professionnels soutenus"

    def ready(self):
        from structures.background_import import register_runners
        from structures.sections import register_sections
        from structures.signals import recompute_after_zoning_change
        from territoires.zonages.signals import zonages_changed

        register_sections()  # key figures and structures on the territoires département page
        register_runners()  # large imports, run by the worker
        zonages_changed.connect(
            recompute_after_zoning_change, dispatch_uid="structures-recompute-zones"
        )
