from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self):
        from portal.departement import register_sections

        # Key figures, structures, zonings and aids on the territoires département page.
        register_sections()
