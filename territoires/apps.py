from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "territoires"
    verbose_name = "Territoires et zonages"

    def ready(self):
        from territoires.zonages.sections import register_sections

        register_sections()
