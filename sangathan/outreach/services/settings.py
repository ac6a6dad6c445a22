"""The cascade's settings, read where they are used (tests override them with ``settings``)."""

import datetime

from django.conf import settings


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "OUTREACH_LINK_MAX_AGE_DAYS", 30))


def remind_after() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "OUTREACH_REMIND_AFTER_HOURS", 6))


def escalate_after() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "OUTREACH_ESCALATE_AFTER_HOURS", 12))


def public_base_url() -> str:
    return getattr(settings, "SANGATHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
