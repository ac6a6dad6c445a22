from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sangathan.core.daily import register


class PrivacyConfig(AppConfig):
    name = "sangathan.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        # No signal receivers: a campaign's notice is recorded by the recruitment services that write it
        # (``privacy.services.notice_record``), explicitly.
        from sangathan.privacy.services import retention_run  # models are loaded only now

        register("privacy-retention", retention_run, order=90)
