"""Writes to the channel registry. Each function is one transaction, checks the acting user's scope
(``MANAGE_CHANNELS`` at the channel's unit) and raises ``ChannelError`` with a translated message;
nothing is written then. ``by=None`` is the system (commands, demo data): no scope check."""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import MANAGE_CHANNELS, VIEW
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_action
from sangathan.channels import secrets
from sangathan.channels.activity_files import ActivityFile, read_activity_file
from sangathan.channels.links import ChannelError, clean_text, normalise_link
from sangathan.channels.models import Channel, ChannelCredential, ChannelSnapshot, Platform
from sangathan.channels.platforms import CredentialRejected, DayNumbers, PlatformError, RateLimited, adapter_for
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


# ---------------------------------------------------------------- official accounts' numbers


SNAPSHOT_FIELDS = DayNumbers.FIELDS
TOKEN_MAX = 2000
ACCOUNT_ID_MAX = 100
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_@.\-]+")


def _check_api_platform(channel: Channel) -> None:
    if adapter_for(channel.platform) is None:
        raise ChannelError(
            _("Numbers cannot be read automatically for a %(platform)s.")
            % {"platform": channel.get_platform_display()},
            code="platform_no_api",
        )


@transaction.atomic
def credential_set(*, channel: Channel, account_id: str, token: str, by=None) -> ChannelCredential:
    """Set (or replace) the API access of an official account. The token is encrypted; it is never shown again.
    Setting it clears a "needs attention" mark and any waiting after a rate limit."""
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    _check_scope(by, channel.unit)
    if not channel.is_active:
        raise ChannelError(_("This channel has been removed; it cannot be changed."), code="inactive")
    _check_api_platform(channel)
    account_id = clean_text(account_id).strip()
    if not account_id or len(account_id) > ACCOUNT_ID_MAX or not _ACCOUNT_ID.fullmatch(account_id):
        raise ChannelError(
            _("Give the account's id on the platform (letters, digits, @, _, - and . only)."), code="account_id_invalid"
        )
    token = token.strip()
    if not token or len(token) > TOKEN_MAX or any(ch.isspace() for ch in token):
        raise ChannelError(_("Paste the access token or key exactly, without spaces."), code="token_invalid")
    credential = ChannelCredential.objects.filter(channel=channel).first() or ChannelCredential(channel=channel)
    credential.account_id = account_id
    credential.token_encrypted = secrets.encrypt(token)
    credential.status = ChannelCredential.Status.OK
    credential.last_error = ""
    credential.retry_after = None
    credential.set_by = _actor(by)
    credential.set_at = timezone.now()
    credential.save()
    return credential


@transaction.atomic
def credential_remove(*, channel: Channel, by=None) -> None:
    """Stop reading an account's numbers from its API (the token is deleted; the numbers already read stay)."""
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    _check_scope(by, channel.unit)
    credential = ChannelCredential.objects.filter(channel=channel).first()
    if credential is None:
        raise ChannelError(_("This channel has no API access set."), code="no_credential")
    credential.delete()


@transaction.atomic
def snapshots_record(
    *, channel: Channel, days: Iterable[DayNumbers], source: str, by=None
) -> tuple[list[ChannelSnapshot], list[ChannelSnapshot]]:
    """Store days' numbers of a channel: a day already stored is updated with the numbers given (the others
    stay), a new day is added. Returns (made, changed). One row per channel and day whatever the order or
    repetition of calls: writers of one channel take its row lock first."""
    Channel.objects.select_for_update().filter(pk=channel.pk).first()  # one writer per channel at a time
    wanted = {numbers.day: numbers.values() for numbers in days}
    existing = {s.day: s for s in ChannelSnapshot.objects.filter(channel=channel, day__in=list(wanted))}
    made: list[ChannelSnapshot] = []
    changed: list[ChannelSnapshot] = []
    for day, values in sorted(wanted.items()):
        snapshot = existing.get(day)
        if snapshot is None:
            made.append(ChannelSnapshot(channel=channel, day=day, source=source, **values))
            continue
        if any(getattr(snapshot, name) != value for name, value in values.items()) or snapshot.source != source:
            for name, value in values.items():
                setattr(snapshot, name, value)
            snapshot.source = source
            snapshot.updated_at = timezone.now()
            changed.append(snapshot)
    ChannelSnapshot.objects.bulk_create(made)
    ChannelSnapshot.objects.bulk_update(changed, [*SNAPSHOT_FIELDS, "source", "updated_at"])
    # bulk writes send no signals: one entry each on the channel for the days added and the days changed
    what = "snapshots_from_export" if source == ChannelSnapshot.Source.EXPORT else "snapshots_from_api"
    audit_bulk_action(
        obj=channel,
        what=f"{what}_added",
        count=len(made),
        model=ChannelSnapshot,
        ids=[s.pk for s in made],
        by=_actor(by),
    )
    audit_bulk_action(
        obj=channel,
        what=f"{what}_updated",
        count=len(changed),
        model=ChannelSnapshot,
        ids=[s.pk for s in changed],
        by=_actor(by),
    )
    return made, changed


@dataclass
class ActivityImport:
    """What ``snapshots_import`` did (or, in a dry run, would do) with a file."""

    file: ActivityFile
    channel: Channel
    made: int = 0
    changed: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.file.ok


def snapshots_import(
    *,
    channel: Channel,
    data: bytes,
    by=None,
    dry_run: bool = False,
    followers_on_last_day: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ActivityImport:
    """Import an export file's days into ``channel``: all rows or none, again and again without duplicates.
    The acting user must manage the channel's unit; the file must be from the channel's platform.

    X's and YouTube's exports give each day's change in followers, not the total: with
    ``followers_on_last_day`` (the total the account's page shows for the file's last day) the totals of the
    earlier days are worked back from the changes, as far as the days run without a gap."""
    if by is not None and not can(by, MANAGE_CHANNELS, channel.unit):
        raise ChannelError(_("You may not manage the channels of this unit."), code="out_of_scope")
    if not channel.is_active:
        raise ChannelError(_("This channel has been removed; it cannot be changed."), code="inactive")
    report = read_activity_file(data, progress=progress)
    result = ActivityImport(file=report, channel=channel, dry_run=dry_run)
    if followers_on_last_day is not None and report.ok:
        _followers_from_changes(report, followers_on_last_day)
    if report.ok and channel.platform not in report.platforms:
        report.add_error(
            None,
            "",
            _("This is a %(format)s file for %(platforms)s; the channel is a %(platform)s.")
            % {
                "format": report.label,
                "platforms": ", ".join(str(Platform(p).label) for p in report.platforms),
                "platform": channel.get_platform_display(),
            },
        )
    if not report.ok:
        return result
    with transaction.atomic():
        made, changed = snapshots_record(channel=channel, days=report.days, source=ChannelSnapshot.Source.EXPORT, by=by)
        result.made, result.changed = len(made), len(changed)
        report.imported = not dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


def _followers_from_changes(report: ActivityFile, last_total: int) -> None:
    days = sorted(report.days, key=lambda d: d.day)
    if not days or last_total < 0:
        return
    total: int | None = last_total
    for index in range(len(days) - 1, -1, -1):
        numbers = days[index]
        if total is None or total < 0:
            break
        if numbers.followers is None:
            numbers.followers = total
        earlier = days[index - 1] if index else None
        if (
            earlier is None
            or earlier.day != numbers.day - datetime.timedelta(days=1)
            or numbers.followers_change is None
        ):
            break
        total = numbers.followers - numbers.followers_change


@dataclass
class FetchOutcome:
    """What one API run for a channel did: ``status`` is fetched, waiting (rate limit), rejected (a person
    must act), failed (try again next run) or skipped (nothing to do)."""

    status: str
    days: int = 0
    wait_seconds: int = 0
    message: str = ""


def channel_numbers_fetch(*, channel_id: int, today: datetime.date | None = None) -> FetchOutcome:
    """Read a channel's numbers from its platform's API and store them (the daily task). Safe to run twice: the
    day's row is updated, not duplicated; a channel waiting after a rate limit or needing attention is skipped."""
    today = today or timezone.localdate()
    credential = (
        ChannelCredential.objects.select_related("channel")
        .filter(channel_id=channel_id, channel__is_active=True)
        .first()
    )
    if credential is None or credential.needs_attention:
        return FetchOutcome("skipped")
    if credential.retry_after and credential.retry_after > timezone.now():
        return FetchOutcome("skipped", message=_("Waiting after a rate limit."))
    adapter = adapter_for(credential.channel.platform)
    if adapter is None:
        return FetchOutcome("skipped")
    since = credential.fetched_through + datetime.timedelta(days=1) if credential.fetched_through else None
    try:
        token = secrets.decrypt(credential.token_encrypted)
        days = adapter.fetch(account_id=credential.account_id, token=token, since=since, today=today)
    except (CredentialRejected, secrets.SecretUnreadable) as error:
        _credential_mark(credential, status=ChannelCredential.Status.ATTENTION, error=str(error))
        return FetchOutcome("rejected", message=str(error))
    except RateLimited as error:
        _credential_mark(
            credential, error=str(error), retry_after=timezone.now() + datetime.timedelta(seconds=error.wait_seconds)
        )
        return FetchOutcome("waiting", wait_seconds=error.wait_seconds, message=str(error))
    except PlatformError as error:
        _credential_mark(credential, error=str(error))
        return FetchOutcome("failed", message=str(error))
    with transaction.atomic():
        snapshots_record(channel=credential.channel, days=days, source=ChannelSnapshot.Source.API)
        ChannelCredential.objects.filter(pk=credential.pk).update(
            status=ChannelCredential.Status.OK,
            last_error="",
            retry_after=None,
            fetched_through=today - datetime.timedelta(days=1),  # today's numbers are read again tomorrow
            last_success_at=timezone.now(),
            token_encrypted=secrets.reencrypt(credential.token_encrypted),
        )
    return FetchOutcome("fetched", days=len(days))


def _credential_mark(credential: ChannelCredential, *, status: str | None = None, error: str, retry_after=None) -> None:
    """Record a failed run on the credential. A change of status goes through save() (in the audit trail)."""
    credential.last_error = error[:500]
    credential.retry_after = retry_after
    fields = ["last_error", "retry_after", "updated_at"]
    if status is not None and status != credential.status:
        credential.status = status
        fields.append("status")
    credential.save(update_fields=fields)
