from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "sangathan.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # Every model that matters is registered with django-auditlog here, in one place, so that no
        # other app has to know about the audit trail (see docs/adr/0006-audit-trail.md).
        from sangathan.audit.registry import register_models  # auditlog's registry needs the models loaded

        register_models()
