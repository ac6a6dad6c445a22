from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "sangathan.planning"
    label = "planning"
    verbose_name = _("Plan and deadlines")

    def ready(self):
        from sangathan.planning.daily import register_plan_jobs  # models are loaded only now

        register_plan_jobs()
