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
        from sangathan.controlroom import alerts_channels  # noqa: F401 (registers "followers_drop")
        from sangathan.controlroom.alerts import (
            alerts_daily,  # models are loaded only now
            alerts_follow_unit,
        )
        from sangathan.controlroom.reports import report_attachments, reports_daily  # models are loaded only now
        from sangathan.controlroom.services import rollups_daily  # models are loaded only now
        from sangathan.notifications.attachments import register as register_attachments
        from sangathan.org import hooks

        hooks.on_unit_moved(alerts_follow_unit)  # an alert's copied path follows its unit, resolved ones too
        # The roll-up rows kept by each report follow a moved subtree (off the old ancestors, onto the new).
        from sangathan.controlroom import rollups

        hooks.on_unit_moving(rollups.unit_moving)
        hooks.on_unit_moved(rollups.unit_moved)

        # The trend drives' count (every distinct post): outreach's drive pages and API show it too (issue 13).
        from sangathan.controlroom.drives import COUNTER
        from sangathan.outreach import drive_counts

        drive_counts.register(COUNTER)

        register("controlroom-rollups", rollups_daily, order=40)
        # After the roll-ups: each state's report of yesterday (and on Mondays of the week), a task each.
        register("controlroom-reports", reports_daily, order=45)
        register_attachments("controlroom_state_report", report_attachments)
        # After the roll-ups: the alert rules once (beat also runs them every few minutes).
        register("controlroom-alerts", alerts_daily, order=42)
