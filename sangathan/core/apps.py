from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sangathan.core"
    label = "core"

    def ready(self):
        from sangathan.core import lookups  # registers on Django's fields once the apps are loaded

        lookups.register()  # out-of-range integer ids find nothing instead of a 500
