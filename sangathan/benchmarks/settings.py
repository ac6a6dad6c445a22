"""Settings of the server the HTTP benchmark starts: the site plus the baseline view, no rate limits
(the load comes from one address)."""

from sangathan.config.settings.base import *  # noqa: F403

ROOT_URLCONF = "sangathan.benchmarks.urls"
RATELIMIT_ENABLE = False
# The cascade benchmark times the writing of deliveries; a national send would otherwise queue a message to
# every seeded office-bearer.
OUTREACH_NOTIFY = False
