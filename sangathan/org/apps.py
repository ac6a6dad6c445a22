from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "sangathan.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from sangathan.core.daily import register
        from sangathan.org.terms import terms_daily  # the models are loaded only now

        register("org-terms", terms_daily, order=30)

        from sangathan.org import hooks, representation

        # Office-bearers per level, women and youth among them, per wing: moved with every appointment made or ended.
        hooks.on_appointment(representation.after_appointment)
        hooks.on_end(representation.after_end)
