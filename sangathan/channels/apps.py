from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sangathan.core.daily import register


class ChannelsConfig(AppConfig):
    name = "sangathan.channels"
    label = "channels"
    verbose_name = _("Channel registry")

    def ready(self) -> None:
        # The daily run (``sangathan run-daily`` / Celery beat): official accounts' numbers from their APIs,
        # before the control room's roll-ups and reports (order 40, 45) read them.
        from sangathan.channels.api_runs import numbers_fetch_daily  # models are loaded only now

        register("channels-official-numbers", numbers_fetch_daily, order=35)
