"""Adapters for the platforms' APIs behind one interface (``base.Adapter``); importing the package registers
them all. ``adapter_for(platform)`` finds the one for a channel's platform."""

from sangathan.channels.platforms import meta, telegram, x, youtube  # noqa: F401 (registers the adapters)
from sangathan.channels.platforms.base import (
    Adapter,
    CredentialRejected,
    DayNumbers,
    PlatformError,
    RateLimited,
    adapter_for,
    api_platforms,
)

__all__ = [
    "Adapter",
    "CredentialRejected",
    "DayNumbers",
    "PlatformError",
    "RateLimited",
    "adapter_for",
    "api_platforms",
]
