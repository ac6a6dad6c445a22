"""Official accounts' numbers in the scope matrix: an X account with API access and a day's snapshot at each
column's unit; its numbers page (the account's name is the marker), setting and removing its API access. Acting
needs the channels of the account's unit: a sibling district's user gets 404 and changes nothing (no token set,
none removed)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sangathan.access.permissions import MANAGE_CHANNELS
from tests.security.matrix import Endpoint
from tests.security.world import COLUMNS, marker


def build(w):
    from sangathan.channels import services
    from sangathan.channels.models import ChannelSnapshot
    from sangathan.channels.platforms import DayNumbers

    for column, unit in w.units["unit"].items():
        account = services.channel_register(
            unit=unit,
            platform="x",
            name=marker("account", column),
            link=f"@zqaccount{COLUMNS.index(column)}",
            by=w.state_admin,
        )
        services.credential_set(channel=account, account_id=str(1000 + COLUMNS.index(column)), token="T0KEN-ZQ")
        services.snapshots_record(
            channel=account,
            days=[DayNumbers(day=timezone.localdate(), followers=1234, posts_total=5)],
            source=ChannelSnapshot.Source.API,
        )
        w.objects.setdefault("account", {})[column] = account


X_EXPORT = (
    "Date,Impressions,Likes,Engagements,New follows,Unfollows,Create Post\n"
    '"Wed, Dec 02, 2026",58210,1204,3310,312,57,14\n'
)


def _export_file(world, column):
    return {"file": SimpleUploadedFile("x.csv", X_EXPORT.encode(), content_type="text/csv")}


WEB = [
    Endpoint("channels.numbers", "channels:numbers", obj="account"),
    Endpoint(
        "channels.api_access",
        "channels:api_access",
        "POST",
        MANAGE_CHANNELS,
        "account",
        data=lambda world, column: {"account_id": "777", "token": "NEW-T0KEN"},
    ),
    Endpoint(
        "channels.numbers_import",
        "channels:numbers_import",
        "POST",
        MANAGE_CHANNELS,
        "account",
        data=_export_file,
    ),
    Endpoint(
        "channels.api_access_remove",
        "channels:api_access_remove",
        "POST",
        MANAGE_CHANNELS,
        "account",
    ),
]

API = [Endpoint("api.channel.snapshots", "channels_api:channel-snapshots", obj="account", json=True)]
