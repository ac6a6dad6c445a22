"""Links other apps add to the recipient's page (``/m/<token>/``) without outreach importing them.

``outreach`` lies below the apps that build on the cascade (the fact-check desk's "report a rumour" is one):
they register a callback here from their ``AppConfig.ready``; the page asks every callback for its link.
A callback takes the page's signed token (keyword ``token``) and returns ``(id, label, url)`` or None; the
url must check the token's signature itself (``services.tokens.delivery_from_token``), as the page does.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    anchor: str  # the element's id on the page (tests and styles find it by this): a name, never a number
    label: str
    url: str


_callbacks: list[Callable[..., PageLink | None]] = []


def on_recipient_page(callback: Callable[..., PageLink | None]) -> Callable[..., PageLink | None]:
    """Register ``callback`` to add a link to the recipient's page (registering twice keeps one)."""
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def links_for(token: str) -> list[PageLink]:
    """The links registered apps add to the page opened by ``token`` (already checked by the page)."""
    return [link for callback in _callbacks if (link := callback(token=token)) is not None]
