from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "structures"
    verbose_name = "Structures et professionnels soutenus"

    def ready(self):
        from structures.sections import register_sections

        register_sections()  # key figures and structures on the territoires département page
        from structures import signals  # noqa: F401  (connects the zonages_changed receiver)
