from django.apps import AppConfig


class AidesConfig(AppConfig):
    name = "aides"
    verbose_name = "Aides"

    def ready(self):
        from aides.sections import register_sections

        # The aids that apply somewhere in a département, on the territoires page.
        register_sections()
