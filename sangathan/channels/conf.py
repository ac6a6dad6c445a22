"""The channels app's settings for the platforms' APIs, read where they are used (deployments set them in the
environment through the settings module; tests point the base URLs at local fake servers)."""

from django.conf import settings

DEFAULT_URLS = {
    "x": "https://api.x.com",
    "meta": "https://graph.facebook.com/v21.0",
    "youtube": "https://www.googleapis.com/youtube/v3",
    "telegram": "https://api.telegram.org",
}
SETTING_NAMES = {
    "x": "X_API_URL",
    "meta": "META_GRAPH_URL",
    "youtube": "YOUTUBE_API_URL",
    "telegram": "TELEGRAM_API_URL",
}


def api_url(name: str) -> str:
    """The base URL of a platform's API (no trailing slash)."""
    return (getattr(settings, SETTING_NAMES[name], "") or DEFAULT_URLS[name]).rstrip("/")


def http_timeout() -> float:
    return float(getattr(settings, "CHANNEL_API_TIMEOUT", 15))


def max_pages() -> int:
    """Pages followed through ``paging.next`` in one run (a loop-guard; a year of daily insights is 13 pages)."""
    return int(getattr(settings, "CHANNEL_API_MAX_PAGES", 50))


def backfill_days() -> int:
    """How far back a first run (or a run after a long pause) asks for daily insights."""
    return int(getattr(settings, "CHANNEL_API_BACKFILL_DAYS", 30))
