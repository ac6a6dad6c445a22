"""A rumour reported by an office-bearer from one of their personal links, without a login: the cascade's
message page (``/m/<token>/``, a link naming one delivery: a message at their unit) and the control room's
daily report page (``/r/<token>/``, a link naming their appointment).

The tip goes through ``services.tip_receive`` like every other (matched, clustered, answered when it repeats
a published claim) on the ``cascade`` channel, carrying the link's unit, so it counts in that unit's district
and is seen by that subtree's desks.

Which link (``Tip.reported_from``), whose (``reported_appointment`` for the daily report link,
``reported_delivery`` for the cascade's) and where the person saw the rumour (``seen_on``) are the tip's own
columns; ``origin_of`` reads them without a query. ``provider_message_id`` holds only a digest of the link,
its holder, the place, the matching key, the link and the pictures' bytes, and the 24-hour slot it was first
sent in, so the same report sent again (a double tap, a replayed request, a second visit) within
``REPEAT_WINDOW`` of the first is that tip: the constraint that stores a webhook's message once stores it
once. The window rolls from the first report (a day of the calendar counted 23:59 and 00:01 as two): a
repeat looks up the slot it falls in and the one before, and is the earlier tip when that tip is less than
``REPEAT_WINDOW`` old; a report past it counts again (the rumour is still going round a day later).
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from sangathan.factcheck.models import PROVIDER_ID_MAX, ReportSource, SeenOn, Tip, TipChannel
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import TipMediaIn, TipOriginIn, tip_receive
from sangathan.org.models import Unit
from sangathan.outreach.models import Delivery
from sangathan.outreach.page_links import PageLink
from sangathan.outreach.services.tokens import delivery_from_token

DIGEST_LENGTH = 32  # hex characters of SHA-256: 128 bits, no accidental clash among one person's tips
REPEAT_WINDOW = datetime.timedelta(hours=24)  # the same report again within this of the first is that tip
Source = ReportSource  # the name the pages and the control room import from here


@dataclass(frozen=True)
class Origin:
    """Where a tip reported from a personal link came from (``origin_of``)."""

    source: str
    holder_id: int | None  # the delivery (cascade link) or the appointment (report link); None once deleted
    seen_on: str

    @property
    def seen_on_label(self) -> str:
        return str(SeenOn(self.seen_on).label)

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


def report_id(*, source: str, holder_id: int, seen_on: str, text: str, link: str, media: list[TipMediaIn]) -> str:
    """A digest of which link, whose, where seen and what: the report, whenever it is sent (``repeat_of``
    adds when)."""
    digest = hashlib.sha256()
    for part in (source, str(holder_id), seen_on, normalise(text), link.strip()):
        digest.update(part.encode())
        digest.update(b"\x00")
    for item in media:
        if item.file is not None:
            for chunk in item.file.chunks():
                digest.update(chunk)
            item.file.seek(0)
        digest.update(b"\x00")
    return digest.hexdigest()[:DIGEST_LENGTH]


def repeat_of(*, report: str, now: datetime.datetime) -> tuple[Tip | None, str]:
    """(the tip this report repeats, None if none; the ``provider_message_id`` of a new one) for the report
    digest ``report`` sent at ``now``. The id is the digest and the ``REPEAT_WINDOW`` slot of ``now``: a tip
    first sent in this slot or the one before, less than the window ago, is the one repeated (two exact ids,
    found by the provider id's unique index)."""
    slot = int(now.timestamp() // REPEAT_WINDOW.total_seconds())
    new_id, before = f"{report}.{slot}", f"{report}.{slot - 1}"
    assert len(new_id) <= PROVIDER_ID_MAX
    earlier = (
        Tip.objects.filter(channel=TipChannel.CASCADE, provider_message_id__in=[new_id, before])
        .order_by("-created_at")
        .first()
    )
    if earlier is not None and earlier.created_at > now - REPEAT_WINDOW:
        return earlier, new_id
    return None, new_id


def tip_report_from_link(
    *,
    source: str,
    holder_id: int,
    unit: Unit,
    seen_on: str,
    text: str = "",
    link: str = "",
    media: list[TipMediaIn] | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Tip, bool]:
    """Store the rumour an office-bearer reported from their link, with their unit (``tip_receive``).

    Returns (tip, new); the same report again from the same link within ``REPEAT_WINDOW`` of the first
    gives back the first tip."""
    if source not in Source.values or seen_on not in SeenOn.values:
        raise ValueError("unknown source or place")
    media = list(media or [])
    report = report_id(source=source, holder_id=holder_id, seen_on=seen_on, text=text, link=link, media=media)
    earlier, provider_message_id = repeat_of(report=report, now=now or timezone.now())
    if earlier is not None:
        return earlier, False
    return tip_receive(
        channel=TipChannel.CASCADE,
        text=text,
        link=link,
        media=media,
        unit=unit,
        provider_message_id=provider_message_id,
        origin=TipOriginIn(
            seen_on=seen_on,
            reported_from=source,
            appointment_id=holder_id if source == Source.REPORT else None,
            delivery_id=holder_id if source == Source.CASCADE else None,
        ),
    )


def origin_of(tip: Tip) -> Origin | None:
    """Which link, whose and where seen, for a tip reported from a personal link; None for any other tip.
    Reads the tip's own columns (the holder by its id): no query."""
    if tip.reported_from not in Source.values or tip.seen_on not in SeenOn.values:
        return None
    holder_id = tip.reported_appointment_id if tip.reported_from == Source.REPORT else tip.reported_delivery_id
    return Origin(source=tip.reported_from, holder_id=holder_id, seen_on=tip.seen_on)


def cascade_link(token: str) -> tuple[int | None, Unit | None, str]:
    """(delivery id, its unit, "") for a good cascade link; (None, None, "expired" | "bad") otherwise. The
    signature and age are checked by outreach's own function: only a link outreach signed opens."""
    delivery_id, problem = delivery_from_token(token)
    if delivery_id is None:
        return None, None, problem
    delivery = Delivery.objects.filter(pk=delivery_id).select_related("unit__level").first()
    if delivery is None:
        return None, None, "bad"
    return delivery_id, delivery.unit, ""


def cascade_back_url(token: str) -> str:
    """The message page the cascade link opens (where "report a rumour" was tapped)."""
    return reverse("outreach_public:open", args=[token])


def recipient_page_link(*, token: str) -> PageLink:
    """The "report a rumour" button on the cascade's message page (registered in ``apps``)."""
    return PageLink(
        anchor="report-rumour",
        label=gettext("Report a rumour"),
        url=reverse("factcheck_public:cascade_rumour", args=[token]),
    )
