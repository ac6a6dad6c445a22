from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sangathan.core.daily import register


class VerificationConfig(AppConfig):
    name = "sangathan.verification"
    label = "verification"
    verbose_name = _("Mobile number verification")

    def ready(self) -> None:
        # The daily run wipes the text of codes that expired unused from the outbox.
        from sangathan.verification.services import challenges_wipe_expired  # models are loaded only now

        register("verification-wipe-codes", challenges_wipe_expired, order=95)
