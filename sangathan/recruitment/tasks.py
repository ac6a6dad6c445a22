"""Celery tasks of the recruitment app: thin, safe to run twice or side by side."""

from celery import shared_task

from sangathan.recruitment import intake  # the intake queues this task: by module, either loads first


@shared_task(acks_late=True, ignore_result=True)
def drain_submissions() -> int:
    """Make applications of every form taken so far (queued after a form, and every minute by beat). A drain
    that found forms looks once more a second later: a form taken while it ran, whose web process had just
    asked for a drain and so did not ask again, is not left for the minute's periodic drain."""
    done = intake.submissions_drain()
    intake.DRAIN.again(drain_submissions, done)
    return done
