"""Demo channels for `sangathan demo`: WhatsApp groups and broadcast lists for some (not all) booths of the
demo state, so the channel pages and the plan's "booth WhatsApp group + broadcast list" milestone show
real progress, plus the state's and districts' social accounts and a month of the state accounts' numbers."""

import datetime
import hashlib

from django.utils import timezone

from sangathan.channels.models import Channel, ChannelSnapshot, Platform
from sangathan.channels.platforms import DayNumbers
from sangathan.channels.services import channel_register, snapshots_record
from sangathan.org.models import Unit
from sangathan.org.paths import subtree_q


def _invite_code(seed: str) -> str:
    """A stable, made-up 22-character WhatsApp invite code."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:22])


def _demo_numbers(accounts: list[Channel], today: datetime.date) -> None:
    """Thirty days of numbers for the state's official accounts, as exports and the daily API run would leave
    them; the X account lost followers this week (the control room's "lost over 10%" alert has something)."""
    for n, channel in enumerate(accounts):
        base = [152_000, 48_000, 98_000, 61_000, 22_000][n % 5]
        days = []
        for back in range(29, -1, -1):
            followers = base + (29 - back) * (40 + 15 * n)
            if channel.platform == Platform.X and back < 4:
                followers = int(followers * 0.86)
            days.append(
                DayNumbers(
                    day=today - datetime.timedelta(days=back),
                    followers=followers,
                    posts=(back * 7 + n) % 9 + 2,
                    impressions=base // 3 + (back * 131) % 5000
                    if channel.platform != Platform.TELEGRAM_CHANNEL
                    else None,
                )
            )
        snapshots_record(channel=channel, days=days, source=ChannelSnapshot.Source.EXPORT)


def demo_channels(*, state: Unit, stdout=None) -> int:
    """Register demo channels under ``state``; returns how many were added (0 when already there)."""
    if Channel.objects.filter(subtree_q([state.path], "unit__path")).exists():
        return 0
    today = timezone.localdate()
    added = 0

    def register(unit, platform, name, link="", **extra):
        nonlocal added
        channel = channel_register(unit=unit, platform=platform, name=name, link=link, by=None, **extra)
        added += 1
        return channel

    slug = (state.code or "state").lower()
    accounts = [
        register(
            state, Platform.FACEBOOK_PAGE, f"{state.name_en or state.name} digital", f"facebook.com/{slug}digital"
        ),
        register(state, Platform.X, f"{state.name_en or state.name} on X", f"@{slug}_digital"),
        register(state, Platform.YOUTUBE, f"{state.name_en or state.name} TV", f"youtube.com/@{slug}digitaltv"),
        register(state, Platform.INSTAGRAM, f"{state.name_en or state.name}", f"@{slug}.digital"),
        register(state, Platform.TELEGRAM_CHANNEL, "Updates", f"t.me/{slug}_digital_updates"),
    ]
    _demo_numbers(accounts, today)
    districts = list(Unit.objects.subtree(state).filter(level__code="district").order_by("path"))
    for index, district in enumerate(districts):
        register(
            district,
            Platform.WHATSAPP_GROUP,
            f"{district.name} — digital team",
            f"https://chat.whatsapp.com/{_invite_code(f'district-{district.pk}')}",
            member_count=60 + 7 * index,
            created_on=today - datetime.timedelta(days=120),
            last_verified_on=today - datetime.timedelta(days=10),
        )
        register(
            district,
            Platform.FACEBOOK_GROUP,
            f"{district.name_en or district.name} volunteers",
            f"facebook.com/groups/{slug}{district.pk}volunteers",
        )
    booths = list(Unit.objects.subtree(state).filter(level__code="booth").select_related("parent").order_by("path"))
    # The first district has most booths done, the second some, the third few: progress worth looking at.
    share = {0: (85, 70), 1: (55, 35), 2: (20, 5)}
    district_paths = [d.path for d in districts]
    for index, booth in enumerate(booths):
        district_index = next((i for i, p in enumerate(district_paths) if booth.path.startswith(p)), 0)
        group_share, broadcast_share = share.get(district_index % 3, (50, 30))
        slot = (index * 37) % 100
        if slot < group_share:
            register(
                booth,
                Platform.WHATSAPP_GROUP,
                f"बूथ {booth.number or ''} {booth.name_hi or booth.name}".strip(),
                f"https://chat.whatsapp.com/{_invite_code(f'booth-{booth.pk}')}",
                member_count=80 + (index * 13) % 170,
                created_on=today - datetime.timedelta(days=20 + index % 90),
                last_verified_on=(today - datetime.timedelta(days=index % 120)) if index % 3 else None,
            )
        if slot < broadcast_share:
            register(
                booth,
                Platform.WHATSAPP_BROADCAST,
                f"बूथ {booth.number or ''} सूचना सूची".strip(),
                owner_mobile=f"98{(29000000 + booth.pk) % 100000000:08d}",
                member_count=150 + (index * 11) % 200,
            )
    if stdout is not None:
        stdout.write(f"Channels: {added} registered for {state.name_en or state.name}.")
    return added
