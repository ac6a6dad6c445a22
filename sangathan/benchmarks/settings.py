"""Settings of the server the HTTP benchmark starts: the site plus the baseline view, no rate limits
(the load comes from one address)."""

from sangathan.config.settings.base import *  # noqa: F403

ROOT_URLCONF = "sangathan.benchmarks.urls"
RATELIMIT_ENABLE = False
# The cascade benchmark times the writing of deliveries; a national send would otherwise queue a message to
# every seeded office-bearer.
OUTREACH_NOTIFY = False
# The membership sign-up benchmark posts every join from one address, at any hour: the per-address and night
# fraud signals would hold them all (the checks still run; only their thresholds are out of reach).
MEMBERSHIP_FRAUD_PER_ADDRESS = 10**9
MEMBERSHIP_FRAUD_NIGHT_PER_HOUR = 10**9
