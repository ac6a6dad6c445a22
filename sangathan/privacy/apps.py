from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "sangathan.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        # No signal receivers: a campaign's notice is recorded by the recruitment services that write it
        # (``privacy.services.notice_record``), explicitly.
        try:
            from sangathan.planning.daily import register
        except ImportError:  # pragma: no cover - the planning app is optional
            return
        from sangathan.privacy.services import retention_run

        register("privacy-retention", retention_run, order=90)
