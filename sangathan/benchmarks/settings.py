"""Settings of the server the HTTP benchmark starts: the site plus the baseline view, no rate limits
(the load comes from one address)."""

from sangathan.config.settings.base import *  # noqa: F403

ROOT_URLCONF = "sangathan.benchmarks.urls"
RATELIMIT_ENABLE = False
