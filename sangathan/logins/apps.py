from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoginsConfig(AppConfig):
    name = "sangathan.logins"
    label = "logins"
    verbose_name = _("Logins of office-bearers")

    def ready(self):
        from sangathan.logins import services, terms  # the models are loaded only now
        from sangathan.org import hooks

        hooks.on_appointment(services.after_appointment)
        hooks.on_end(services.after_appointments_ended)
        hooks.on_term_ending(terms.term_ending_notify)
