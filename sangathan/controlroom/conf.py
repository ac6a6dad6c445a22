"""The control room's settings, read where they are used (deployments set them in the environment through
the settings module; tests override them with ``settings``). Each has its default here."""

import datetime

from django.conf import settings

# The most a person can plausibly do in one day; a larger number is a typo (an extra zero) or a test of
# the form, and is refused with a message rather than counted.
DEFAULT_CAPS = {
    "posts": 200,
    "shares": 500,
    "groups_messaged": 300,
    "people_added": 1000,
    "events": 20,
}


def caps() -> dict[str, int]:
    return {**DEFAULT_CAPS, **getattr(settings, "CONTROLROOM_COUNT_CAPS", {})}


def link_max_age() -> datetime.timedelta:
    """How long an office-bearer's report link works before a new one must be sent."""
    return datetime.timedelta(days=getattr(settings, "CONTROLROOM_LINK_MAX_AGE_DAYS", 90))


def report_days_back() -> int:
    """A report may be for today or up to this many days before (a late evening, a day without signal)."""
    return int(getattr(settings, "CONTROLROOM_REPORT_DAYS_BACK", 3))


def urls_max() -> int:
    """Post links in one report."""
    return int(getattr(settings, "CONTROLROOM_REPORT_URLS_MAX", 20))


def report_rate_link() -> tuple[str, str]:
    """(setting, default) of the limit on POSTs per report link."""
    return "CONTROLROOM_REPORT_RATE_LINK", "20/h"


def report_rate_ip() -> tuple[str, str]:
    """(setting, default) of the limit on POSTs per address: generous, as many phones share one address
    behind a mobile operator's NAT."""
    return "CONTROLROOM_REPORT_RATE_IP", "300/h"


def silent_days() -> int:
    """A unit whose key office-bearer has not reported for this many days is silent."""
    return int(getattr(settings, "CONTROLROOM_SILENT_DAYS", 7))


def poll_seconds() -> int:
    """How often the wall asks for fresh numbers."""
    return int(getattr(settings, "CONTROLROOM_POLL_SECONDS", 30))


def refresh_delay_seconds() -> int:
    """With a worker, reports arriving within this many seconds share one roll-up refresh (0: one each)."""
    return int(getattr(settings, "CONTROLROOM_REFRESH_DELAY_SECONDS", 60))


def public_base_url() -> str:
    return getattr(settings, "SANGATHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def alert_escalate_minutes() -> int:
    """An alert nobody acknowledged this long after it was raised goes to the parent unit's in-charge."""
    return int(getattr(settings, "CONTROLROOM_ALERT_ESCALATE_MINUTES", 60))


def alert_summary_over() -> int:
    """When a rule finds more than this many units under one parent unit (booths of a block), it raises one
    summary alert on the parent ("12 of 40 booths silent for 7 days") instead of one alert per unit."""
    return int(getattr(settings, "CONTROLROOM_ALERT_SUMMARY_OVER", 10))


def alert_summary_level() -> str:
    """The level (its code) of the unit a summary alert is raised on; empty: each unit's parent."""
    return str(getattr(settings, "CONTROLROOM_ALERT_SUMMARY_LEVEL", ""))


def report_link_cache_seconds() -> int:
    """How long a web process keeps a report link's appointment (active, key post, start) once read, by the page
    or a POST: long enough to fill in the form, so that sending it costs one INSERT (``selectors.report_start``).
    0 reads it every time."""
    return int(settings.CONTROLROOM_REPORT_LINK_CACHE_SECONDS)
