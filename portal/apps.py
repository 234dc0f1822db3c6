from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self):
        from portal import dataversion

        # Last-Modified of the open data moves forward on every change, deletions included.
        dataversion.connect()
