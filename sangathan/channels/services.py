"""Writes to the channel registry. Each function is one transaction, checks the acting user's scope
(``MANAGE_CHANNELS`` at the channel's unit) and raises ``ChannelError`` with a translated message;
nothing is written then. ``by=None`` is the system (commands, demo data): no scope check."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import MANAGE_CHANNELS, VIEW
from sangathan.access.scope import can
from sangathan.channels.links import ChannelError, clean_text, normalise_link
from sangathan.channels.models import Channel, Platform
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org.errors import OrgError
from sangathan.org.models import Person, Unit
from sangathan.org.phones import normalise_mobile

NAME_MAX = 150
REASON_MAX = 500
MEMBER_MAX = 10_000_000


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _check_scope(by, unit: Unit) -> None:
    if by is not None and not can(by, MANAGE_CHANNELS, unit):
        raise ChannelError(_("You may not manage the channels of this unit."), code="out_of_scope")


def _clean_name(name: str) -> str:
    name = " ".join(clean_text(name).split())
    if not name:
        raise ChannelError(_("Give the channel's name, as it shows in the app."), code="name_missing")
    if has_markup(name):
        raise ChannelError(str(MARKUP_MESSAGE), code="name_markup")
    if len(name) > NAME_MAX:
        raise ChannelError(
            _("A channel name can be at most %(max)d characters long.") % {"max": NAME_MAX}, code="name_too_long"
        )
    return name


def _clean_mobile(raw: str) -> str:
    text = clean_text(raw)
    if not text:
        return ""
    try:
        return normalise_mobile(text)
    except OrgError as error:
        raise ChannelError(error.messages[0], code="owner_mobile_invalid") from None


def _clean_member_count(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ChannelError(_("The member count must be a whole number."), code="member_count_invalid") from None
    if count < 0 or count > MEMBER_MAX:
        raise ChannelError(_("The member count is not plausible."), code="member_count_invalid")
    return count


def _clean_created_on(value: datetime.date | None) -> datetime.date | None:
    if value is not None and value > timezone.localdate():
        raise ChannelError(_("The date created cannot be in the future."), code="created_on_future")
    return value


def _clean_admins(by, admins: Iterable[Person] | None) -> list[Person]:
    admins = list(admins or [])
    if by is not None and admins:
        visible = set(
            Person.objects.restrict(by, VIEW).filter(pk__in=[p.pk for p in admins]).values_list("pk", flat=True)
        )
        if any(person.pk not in visible for person in admins):
            raise ChannelError(_("Choose admins from the people of your area."), code="admin_out_of_scope")
    return admins


def _clean_other_mobiles(mobiles: Iterable[str] | None) -> list[str]:
    cleaned: list[str] = []
    for raw in mobiles or []:
        mobile = _clean_mobile(raw)
        if mobile and mobile not in cleaned:
            cleaned.append(mobile)
    return cleaned


def _check_link_free(platform: str, link: str, exclude_pk=None) -> None:
    if not link:
        return
    clash = Channel.objects.filter(platform=platform, link=link, is_active=True)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.select_related("unit").first()
    if other is not None:
        raise ChannelError(
            _("This link is already registered, for %(unit)s.") % {"unit": other.unit.display_name},
            code="link_taken",
        )


def _check_name_free(unit: Unit, platform: str, name: str, exclude_pk=None) -> None:
    clash = Channel.objects.filter(unit=unit, platform=platform, name=name, is_active=True)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ChannelError(
            _("This unit already has a %(platform)s called “%(name)s”.")
            % {"platform": Platform(platform).label, "name": name},
            code="name_taken",
        )


def _clean_platform(platform: str) -> str:
    if platform not in Platform.values:
        raise ChannelError(_("Choose a platform."), code="platform_invalid")
    return platform


def _save(channel: Channel) -> None:
    """Save; a race with another writer of the same link or name becomes a message, not a 500."""
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise ChannelError(
            _("This channel was registered by somebody else a moment ago. Reload the page and check."),
            code="conflict",
        ) from None


@transaction.atomic
def channel_register(
    *,
    unit: Unit,
    platform: str,
    name: str,
    link: str = "",
    owner_mobile: str = "",
    admins: Iterable[Person] | None = None,
    other_admin_mobiles: Iterable[str] | None = None,
    member_count: int | None = None,
    created_on: datetime.date | None = None,
    last_verified_on: datetime.date | None = None,
    by=None,
) -> Channel:
    """Register a channel of ``unit``. The link is validated and normalised for the platform."""
    _check_scope(by, unit)
    platform = _clean_platform(platform)
    name = _clean_name(name)
    link = normalise_link(platform, link)
    owner_mobile = _clean_mobile(owner_mobile)
    admin_people = _clean_admins(by, admins)
    _check_link_free(platform, link)
    _check_name_free(unit, platform, name)
    channel = Channel(
        unit=unit,
        platform=platform,
        name=name,
        link=link,
        owner_mobile=owner_mobile,
        other_admin_mobiles=_clean_other_mobiles(other_admin_mobiles),
        member_count=_clean_member_count(member_count),
        created_on=_clean_created_on(created_on),
        last_verified_on=_clean_created_on(last_verified_on),
        last_verified_by=_actor(by) if last_verified_on else None,
        created_by=_actor(by),
    )
    _save(channel)
    if admin_people:
        channel.admins.set(admin_people)
    return channel


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    name: str,
    link: str = "",
    owner_mobile: str = "",
    admins: Iterable[Person] | None = None,
    other_admin_mobiles: Iterable[str] | None = None,
    member_count: int | None = None,
    created_on: datetime.date | None = None,
    by=None,
) -> Channel:
    """Change an active channel's name, link, admins and numbers (not its unit or platform)."""
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    _check_scope(by, channel.unit)
    if not channel.is_active:
        raise ChannelError(_("This channel has been removed; it cannot be changed."), code="inactive")
    name = _clean_name(name)
    link = normalise_link(channel.platform, link)
    owner_mobile = _clean_mobile(owner_mobile)
    admin_people = _clean_admins(by, admins)
    _check_link_free(channel.platform, link, exclude_pk=channel.pk)
    _check_name_free(channel.unit, channel.platform, name, exclude_pk=channel.pk)
    channel.name, channel.link, channel.owner_mobile = name, link, owner_mobile
    channel.other_admin_mobiles = _clean_other_mobiles(other_admin_mobiles)
    channel.member_count = _clean_member_count(member_count)
    channel.created_on = _clean_created_on(created_on)
    _save(channel)
    channel.admins.set(admin_people)
    return channel


@transaction.atomic
def channel_verify(
    *, channel: Channel, member_count: int | None = None, on: datetime.date | None = None, by=None
) -> Channel:
    """Record that somebody checked the channel today (it exists, the link works), with the member count."""
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    _check_scope(by, channel.unit)
    if not channel.is_active:
        raise ChannelError(_("This channel has been removed; it cannot be verified."), code="inactive")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ChannelError(_("The date of verification cannot be in the future."), code="verified_future")
    channel.last_verified_on = on
    channel.last_verified_by = _actor(by)
    if member_count is not None and member_count != "":
        channel.member_count = _clean_member_count(member_count)
    channel.save(update_fields=["last_verified_on", "last_verified_by", "member_count", "updated_at"])
    return channel


@transaction.atomic
def channel_deactivate(*, channel: Channel, reason: str, by=None) -> Channel:
    """Remove a channel from the unit's registry (it was deleted, replaced or handed over). The row and its
    history stay; the link becomes free to be registered again."""
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    _check_scope(by, channel.unit)
    if not channel.is_active:
        raise ChannelError(_("This channel has already been removed."), code="inactive")
    reason = " ".join(clean_text(reason).split())
    if not reason:
        raise ChannelError(_("Say why the channel is being removed."), code="reason_missing")
    if len(reason) > REASON_MAX:
        raise ChannelError(
            _("The reason can be at most %(max)d characters long.") % {"max": REASON_MAX}, code="reason_too_long"
        )
    channel.is_active = False
    channel.deactivated_at = timezone.now()
    channel.deactivated_by = _actor(by)
    channel.deactivation_reason = reason
    channel.save(update_fields=["is_active", "deactivated_at", "deactivated_by", "deactivation_reason", "updated_at"])
    return channel
