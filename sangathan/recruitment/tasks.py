"""Celery tasks of the recruitment app: thin, safe to run twice or side by side."""

from celery import shared_task

from sangathan.recruitment.intake import submissions_drain


@shared_task(acks_late=True, ignore_result=True)
def drain_submissions() -> int:
    """Make applications of every form taken so far (queued after a form, and every minute by beat)."""
    return submissions_drain()
