from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self):
        from portal import dataversion
        from portal.departement import register_sections

        # Key figures, structures, zonings and aids on the territoires département page.
        register_sections()
        # Last-Modified of the open data moves forward on every change, deletions included.
        dataversion.connect()
