"""Celery tasks of the control room: thin, take plain values, safe to run twice."""

import datetime

from celery import shared_task
from django.contrib.auth import get_user_model

from sangathan.controlroom import alerts, intake, services  # intake queues a task here: by module
from sangathan.org.models import Unit


@shared_task(acks_late=True, ignore_result=True)
def drain_report_submissions() -> int:
    """Write every daily report taken so far (queued after a report, and every minute by beat); a drain that
    found reports looks once more a second later (``core.drains``)."""
    done = intake.submissions_drain()
    intake.DRAIN.again(drain_report_submissions, done)
    return done


@shared_task(acks_late=True, ignore_result=True)
def refresh_day(day: str) -> int:
    """Rebuild one day's roll-ups (queued after reports; ``day`` in ISO form). Returns the rows written."""
    return services.rollup_refresh(day=datetime.date.fromisoformat(day)).rows


@shared_task(acks_late=True, ignore_result=True)
def send_report_links(root_id: int, user_id: int) -> int:
    """Every key office-bearer below the unit gets their report link (the outbox skips what this day already sent)."""
    root = Unit.objects.filter(pk=root_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if root is None or user is None:
        return 0
    return services.report_links_send(root=root, by=user)


@shared_task(acks_late=True, ignore_result=True)
def make_state_report(unit_id: int, kind: str, day: str) -> int:
    """Make a state's daily or weekly report for ``day`` (ISO form) and deliver it once. Returns the messages
    queued (0 when it was delivered before)."""
    from sangathan.controlroom import reports  # reports reads services' roll-ups, which import this module

    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return 0
    when = datetime.date.fromisoformat(day)
    try:
        report = reports.report_make(unit=unit, kind=kind, day=when)
    except Exception as error:
        reports.report_failed(unit=unit, kind=kind, day=when, error=error)
        raise
    return reports.report_deliver(report_id=report.pk)


@shared_task(acks_late=True, ignore_result=True)
def evaluate_alerts() -> dict[str, int]:
    """Evaluate the alert rules but the daily ones, raise what is new once, escalate what waited (beat, every few
    minutes; the daily run evaluates them all)."""
    return alerts.alerts_evaluate(daily=False)
