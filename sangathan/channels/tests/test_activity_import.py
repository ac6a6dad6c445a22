"""Export files into snapshots: every platform's format (sample files shaped like the real exports in
tests/data), bad rows with their row numbers and nothing written, importing again (nothing doubles), a later
source filling what an earlier one left, the wrong platform, scope, and ``sangathan import-activity``."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from sangathan.audit.models import AuditEntry
from sangathan.channels.links import ChannelError
from sangathan.channels.models import ChannelSnapshot, Platform
from sangathan.channels.services import channel_register, snapshots_import

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def days(channel) -> dict:
    return {
        s.day.isoformat(): {
            k: v
            for k, v in s.__dict__.items()
            if k in ("followers", "followers_change", "posts", "reach", "impressions") and v is not None
        }
        for s in ChannelSnapshot.objects.filter(channel=channel).order_by("day")
    }


@pytest.fixture
def accounts(tree):
    def make(platform, name, link, unit=None):
        return channel_register(unit=unit or tree.jaipur, platform=platform, name=name, link=link)

    return {
        "x": make(Platform.X, "X Jaipur", "@bjp4jaipur"),
        "page": make(Platform.FACEBOOK_PAGE, "Page Jaipur", "facebook.com/bjpjaipur"),
        "insta": make(Platform.INSTAGRAM, "Insta Jaipur", "instagram.com/bjpjaipur"),
        "yt": make(Platform.YOUTUBE, "YT Jaipur", "youtube.com/@bjpjaipur"),
        "ajmer_x": make(Platform.X, "X Ajmer", "@bjp4ajmer", unit=tree.ajmer),
    }


def test_x_account_overview(accounts, cast):
    result = snapshots_import(channel=accounts["x"], data=sample("x_account_overview.csv"), by=cast.district_admin)
    assert result.ok and (result.made, result.changed) == (3, 0) and result.file.label == "X analytics"
    assert days(accounts["x"])["2026-12-02"] == {"followers_change": 312 - 57, "posts": 14, "impressions": 58210}
    assert set(ChannelSnapshot.objects.values_list("source", flat=True)) == {"export"}
    entry = AuditEntry.objects.get(additional_data__bulk="snapshots_from_export_added")
    assert entry.actor == cast.district_admin and entry.additional_data["count"] == 3


def test_meta_business_suite_files_fill_one_row_a_day(accounts):
    page = accounts["page"]
    snapshots_import(channel=page, data=sample("meta_facebook_reach.csv"))
    snapshots_import(channel=page, data=sample("facebook_page_data.csv"))  # the older Page export
    got = days(page)
    assert got["2026-11-28"] == {"reach": 18234}
    # the Page data file's reach replaces the day's reach; its likes and impressions are added to the same row
    assert got["2026-12-01"] == {"followers": 152534, "reach": 39876, "impressions": 85102}
    assert ChannelSnapshot.objects.filter(channel=page).count() == 5  # 28 Nov to 2 Dec, one row a day
    insta = snapshots_import(channel=accounts["insta"], data=sample("meta_instagram_followers.csv"))
    assert insta.ok and days(accounts["insta"])["2026-12-01"] == {"followers": 48501}


@pytest.mark.parametrize("name", ["youtube_totals.csv", "youtube_totals.xlsx"])
def test_youtube_studio_totals_csv_and_excel(accounts, name):
    result = snapshots_import(channel=accounts["yt"], data=sample(name))
    assert result.ok and result.made == 5  # the "Total" row is not a day
    got = days(accounts["yt"])
    assert got["2026-11-30"] == {"followers_change": -12, "posts": 1, "reach": 2899, "impressions": 51032}


def test_importing_again_changes_nothing_and_a_corrected_file_updates(accounts):
    x = accounts["x"]
    snapshots_import(channel=x, data=sample("x_account_overview.csv"))
    again = snapshots_import(channel=x, data=sample("x_account_overview.csv"))
    assert (again.made, again.changed) == (0, 0) and ChannelSnapshot.objects.count() == 3
    corrected = sample("x_account_overview.csv").replace(b"58210", b"58999")
    fixed = snapshots_import(channel=x, data=corrected)
    assert (fixed.made, fixed.changed) == (0, 1)
    assert days(x)["2026-12-02"]["impressions"] == 58999 and ChannelSnapshot.objects.count() == 3


def test_bad_rows_are_listed_by_row_and_nothing_is_written(accounts):
    with translation.override("en"):
        result = snapshots_import(channel=accounts["x"], data=sample("x_account_overview_bad.csv"))
    assert not result.ok and not ChannelSnapshot.objects.exists()
    problems = {(e.row, e.column): e.message for e in result.file.errors}
    assert problems[(3, "Impressions")] == "“lots” is not a count."
    assert "is not a date" in problems[(4, "Date")]
    assert "also in row 2" in problems[(5, "Date")]
    assert "in the future" in problems[(6, "Date")]
    with translation.override("hi"):
        hindi = snapshots_import(channel=accounts["x"], data=sample("x_account_overview_bad.csv"))
    assert any("गिनती" in e.message for e in hindi.file.errors)


@pytest.mark.parametrize(
    "content",
    [
        b"Date,Impressions,Create Post\n2026-12-01,-5,1\n",  # a negative count
        b"Date,Impressions,Create Post\n2026-12-01,99999999999999,1\n",  # absurd
        b"Date,Impressions,Create Post\n2026-12-01,5,3000000000\n",  # past PostgreSQL's integer: was a 500
        b"Date,Impressions,Create Post\n2026-12-01,12.5,1\n",
    ],
)
def test_impossible_counts_are_refused(accounts, content):
    result = snapshots_import(channel=accounts["x"], data=content)
    assert not result.ok and result.file.errors[0].row == 2 and not ChannelSnapshot.objects.exists()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_a_file_of_another_platform_or_of_nothing_is_refused(accounts, english):
    wrong = snapshots_import(channel=accounts["x"], data=sample("youtube_totals.csv"))
    assert not wrong.ok and "YouTube Studio" in wrong.file.errors[0].message
    insta = snapshots_import(channel=accounts["page"], data=sample("meta_instagram_followers.csv"))
    assert not insta.ok
    nothing = snapshots_import(channel=accounts["x"], data=b"Date,Colour\n2026-12-01,blue\n")
    assert not nothing.ok and "no column we keep" in nothing.file.errors[0].message
    empty = snapshots_import(channel=accounts["x"], data=b"")
    assert not empty.ok
    assert not ChannelSnapshot.objects.exists()


def test_dry_run_writes_nothing(accounts):
    result = snapshots_import(channel=accounts["x"], data=sample("x_account_overview.csv"), dry_run=True)
    assert result.ok and result.made == 3 and not ChannelSnapshot.objects.exists()


def test_a_sibling_district_cannot_import_for_a_channel_it_does_not_own(accounts, cast):
    with pytest.raises(ChannelError):
        snapshots_import(channel=accounts["x"], data=sample("x_account_overview.csv"), by=cast.sibling_admin)
    with pytest.raises(ChannelError):
        snapshots_import(channel=accounts["x"], data=sample("x_account_overview.csv"), by=cast.viewer)
    assert not ChannelSnapshot.objects.exists()
    ok = snapshots_import(channel=accounts["ajmer_x"], data=sample("x_account_overview.csv"), by=cast.sibling_admin)
    assert ok.ok and ChannelSnapshot.objects.filter(channel=accounts["ajmer_x"]).count() == 3


# ---------------------------------------------------------------- the command


def test_import_activity_command(accounts, capsys, english):
    call_command("import_activity", str(DATA / "x_account_overview.csv"), "--channel", str(accounts["x"].pk))
    out = capsys.readouterr().out
    assert "3 new" in out and ChannelSnapshot.objects.count() == 3
    call_command(
        "import_activity", str(DATA / "x_account_overview.csv"), "--channel", str(accounts["x"].pk), "--dry-run"
    )
    assert "0 new" in capsys.readouterr().out


def test_import_activity_command_refuses_in_hindi(accounts, cast, capsys):
    with translation.override("hi"):
        with pytest.raises(CommandError) as caught:
            call_command(
                "import_activity", str(DATA / "x_account_overview_bad.csv"), "--channel", str(accounts["x"].pk)
            )
        assert "कुछ भी आयात नहीं" in str(caught.value)
        assert "पंक्ति 3" in capsys.readouterr().err
        with pytest.raises(CommandError) as no_channel:
            call_command("import_activity", str(DATA / "x_account_overview.csv"))
        assert "--channel" in str(no_channel.value)
        with pytest.raises(CommandError) as sibling:
            call_command(
                "import_activity",
                str(DATA / "x_account_overview.csv"),
                "--channel",
                str(accounts["x"].pk),
                "--user",
                cast.sibling_admin.username,
            )
        assert str(sibling.value) == "आप इस इकाई के चैनल नहीं बदल सकते।"
    assert not ChannelSnapshot.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_activity", str(DATA / "x_account_overview.csv"), "--channel", "999999")


def test_follower_totals_worked_back_from_the_days_changes(accounts, english, capsys):
    call_command(
        "import_activity",
        str(DATA / "youtube_totals.csv"),
        "--channel",
        str(accounts["yt"].pk),
        "--followers",
        "100000",
    )
    got = {day: values.get("followers") for day, values in days(accounts["yt"]).items()}
    assert got == {
        "2026-11-28": 99757,
        "2026-11-29": 99828,
        "2026-11-30": 99816,  # the day it lost 12
        "2026-12-01": 99912,
        "2026-12-02": 100000,
    }
    # importing the file again without a total keeps them
    call_command("import_activity", str(DATA / "youtube_totals.csv"), "--channel", str(accounts["yt"].pk))
    assert ChannelSnapshot.objects.get(channel=accounts["yt"], day="2026-11-28").followers == 99757
    with pytest.raises(CommandError):
        call_command(
            "import_activity",
            str(DATA / "youtube_totals.csv"),
            "--channel",
            str(accounts["yt"].pk),
            "--followers",
            "-1",
        )
