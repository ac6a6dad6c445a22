"""Control room."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sangathan.core.daily import register


class ControlRoomConfig(AppConfig):
    name = "sangathan.controlroom"
    label = "controlroom"
    verbose_name = _("Control room")

    def ready(self) -> None:
        # The daily run (``sangathan run-daily`` / Celery beat): yesterday's roll-ups final, today's begun.
        from sangathan.controlroom.services import rollups_daily  # models are loaded only now

        register("controlroom-rollups", rollups_daily, order=40)
