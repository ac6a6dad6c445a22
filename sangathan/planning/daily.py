"""The plan's own daily jobs (progress, snapshot, escalation digests), registered with the daily run
(``sangathan.core.daily``) from ``PlanningConfig.ready``."""

from sangathan.core.daily import register
from sangathan.planning.escalation import escalate
from sangathan.planning.progress import refresh
from sangathan.planning.snapshots import snapshot_write


def _refresh(*, today):
    return {"units": refresh(today=today)}


def _snapshot(*, today):
    return {"rows": snapshot_write(today=today)}


def _escalate(*, today):
    result = escalate(today=today)
    return {"recipients": result.recipients, "queued": result.queued, "already_sent": result.skipped}


def register_plan_jobs() -> None:
    register("plan-progress", _refresh, order=10)
    register("plan-snapshot", _snapshot, order=20)
    register("plan-escalation", _escalate, order=30)
