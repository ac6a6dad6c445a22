from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "sangathan.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from sangathan.privacy import signals
        from sangathan.recruitment.models import Campaign

        # A campaign's notice is copied into a versioned ``Notice`` whenever the campaign is saved.
        post_save.connect(signals.campaign_saved, sender=Campaign, dispatch_uid="privacy.campaign_notice")
        try:
            from sangathan.planning.daily import register
        except ImportError:  # pragma: no cover - the planning app is optional
            return
        from sangathan.privacy.services import retention_run

        register("privacy-retention", retention_run, order=90)
