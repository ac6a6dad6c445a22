from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sangathan.core.daily import register


class TrainingConfig(AppConfig):
    name = "sangathan.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # The daily run (``sangathan run-daily`` / Celery beat) reminds the invitees of tomorrow's camps.
        from sangathan.training.services import reminders_send_due  # models are loaded only now

        register("training-reminders", reminders_send_due, order=60)

        # The trained-post counters follow appointments and moves in org's own transaction.
        from sangathan.org import hooks
        from sangathan.training import counters

        hooks.on_appointment(counters.after_appointment)
        hooks.on_end(counters.after_appointments_ended)
        hooks.on_unit_moving(counters.unit_moving)
        hooks.on_unit_moved(counters.unit_moved)
