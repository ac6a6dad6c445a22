import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from sangathan.channels.importing import import_channels
from sangathan.channels.models import Channel, Platform
from sangathan.channels.services import channel_register
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CODE = "AbCdEf1234567890GhIjK"


def csv_file(text: str, bom: bool = False) -> io.BytesIO:
    data = text.encode("utf-8")
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


def xlsx_file(rows: list[list]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


ENGLISH = (
    "district,ac_no,booth_no,platform,name,link,admin mobile,members,created\n"
    f"Jaipur,45,1,WhatsApp group,Booth 1 Amer,https://chat.whatsapp.com/{CODE}1,,212,15/04/2026\n"
    "Jaipur,45,1,broadcast,Booth 1 list,,,80,\n"
    f"Jaipur,45,2,whatsapp,Booth 2 Amer,chat.whatsapp.com/{CODE}2,,,\n"
    "Jaipur,45,,Facebook page,AC 45 page,facebook.com/BJPJaipurNorth,,,\n"
)


def test_english_csv_registers_channels_on_the_right_units(tree, cast):
    admin = PersonFactory(home_unit=tree.booth1, mobile="+919829012345")
    text = ENGLISH.replace("212,15/04/2026", "212,15/04/2026").replace(
        f"{CODE}1,,", f'{CODE}1,"98290 12345, 9829099999",'
    )
    report = import_channels(file=csv_file(text), root=tree.jaipur, by=cast.district_admin)
    assert report.ok, report.errors
    assert report.imported and report.new_total == 4
    group = Channel.objects.get(platform=Platform.WHATSAPP_GROUP, unit=tree.booth1)
    assert group.link == f"https://chat.whatsapp.com/{CODE}1"
    assert group.member_count == 212 and group.created_on == datetime.date(2026, 4, 15)
    assert list(group.admins.all()) == [admin]
    assert group.other_admin_mobiles == ["+919829099999"]
    assert group.created_by == cast.district_admin
    assert report.warnings_total == 1
    assert Channel.objects.get(platform=Platform.WHATSAPP_BROADCAST).unit == tree.booth1
    assert Channel.objects.get(platform=Platform.FACEBOOK_PAGE).unit == tree.jaipur_ac


def test_reimport_is_idempotent_and_updates_changed_cells(tree, cast):
    assert import_channels(file=csv_file(ENGLISH), root=tree.jaipur, by=cast.district_admin).imported
    again = import_channels(file=csv_file(ENGLISH), root=tree.jaipur, by=cast.district_admin)
    assert again.ok and again.new_total == 0 and again.updated_total == 0 and again.unchanged_total == 4
    assert Channel.objects.count() == 4
    changed = ENGLISH.replace(",212,", ",250,")
    third = import_channels(file=csv_file(changed), root=tree.jaipur, by=cast.district_admin)
    assert third.updated_total == 1 and third.new_total == 0
    assert Channel.objects.get(platform=Platform.WHATSAPP_GROUP, unit=tree.booth1).member_count == 250


def test_hindi_headers_with_bom_and_devanagari_digits(tree, cast):
    text = (
        "जिला,विधानसभा संख्या,बूथ संख्या,प्लेटफ़ॉर्म,नाम,लिंक,सदस्य संख्या,बनाने की तिथि\n"
        f"जयपुर,४५,१,व्हाट्सएप ग्रुप,बूथ १ आमेर,https://chat.whatsapp.com/{CODE}1,१२०,०१-०५-२०२६\n"
        "जयपुर,45,2,ब्रॉडकास्ट सूची,बूथ 2 सूची,98290 12345,,\n"
    )
    report = import_channels(file=csv_file(text, bom=True), root=tree.jaipur, by=cast.district_admin)
    assert report.ok, report.errors
    group = Channel.objects.get(platform=Platform.WHATSAPP_GROUP)
    assert group.unit == tree.booth1 and group.member_count == 120 and group.created_on == datetime.date(2026, 5, 1)
    broadcast = Channel.objects.get(platform=Platform.WHATSAPP_BROADCAST)
    assert broadcast.unit == tree.booth2 and broadcast.owner_mobile == "+919829012345" and broadcast.link == ""


def test_xlsx_with_unit_id_and_date_cells(tree, cast):
    rows = [
        ["Unit ID", "Platform", "Name", "Link", "Members", "Date created"],
        [tree.booth2.pk, "Telegram", "Amer news", "@amer_news", 40, datetime.datetime(2026, 3, 2)],  # noqa: DTZ001 - an Excel date cell,
        [tree.booth1.pk, "X", "Amer on X", "https://twitter.com/AmerBJP", None, None],
    ]
    report = import_channels(file=xlsx_file(rows), root=tree.jaipur, by=cast.district_admin)
    assert report.ok, report.errors
    assert report.file_format == "xlsx"
    telegram = Channel.objects.get(platform=Platform.TELEGRAM_CHANNEL)
    assert telegram.unit == tree.booth2 and telegram.link == "https://t.me/amer_news"
    assert telegram.created_on == datetime.date(2026, 3, 2) and telegram.member_count == 40
    assert Channel.objects.get(platform=Platform.X).link == "https://x.com/amerbjp"


def test_bad_rows_are_all_reported_and_nothing_is_written(tree, cast):
    channel_register(
        unit=tree.ajmer_booth,
        platform=Platform.WHATSAPP_GROUP,
        name="Ajmer",
        link=f"https://chat.whatsapp.com/{CODE}9",
    )
    text = (
        "district,ac_no,booth_no,platform,name,link,members,created\n"
        f"Jaipur,45,1,WhatsApp group,Good,https://chat.whatsapp.com/{CODE}1,10,\n"  # 2 fine
        "Jaipur,45,7,WhatsApp group,No such booth,https://chat.whatsapp.com/AbCdEf1234567890GhIjK7,,\n"  # 3
        "Jaipur,45,1,Myspace,Bad platform,x,,\n"  # 4
        "Jaipur,45,2,WhatsApp group,Bad link,https://wa.me/919829012345,,\n"  # 5
        f"Jaipur,45,2,WhatsApp group,Twice,https://chat.whatsapp.com/{CODE}1,,\n"  # 6 repeats row 2
        "Jaipur,45,2,X,Bad count,@amer,lots,\n"  # 7
        "Jaipur,45,2,X,Future,@amer2,,01/01/2999\n"  # 8
        "Ajmer,99,1,X,Other district,@ajmer,,\n"  # 9
        f"Jaipur,45,2,WhatsApp group,Taken,https://chat.whatsapp.com/{CODE}9,,\n"  # 10 Ajmer's link
        "Jaipur,45,2,,No platform,@amer3,,\n"  # 11
    )
    with translation.override("en"):
        report = import_channels(file=csv_file(text), root=tree.jaipur, by=cast.district_admin)
    assert not report.ok and not report.imported
    assert sorted({e.row for e in report.errors}) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert Channel.objects.count() == 1
    messages = " ".join(e.message for e in report.errors)
    assert "outside" in messages  # the Ajmer link is not named to a Jaipur importer
    assert "Kishangarh" not in messages


def test_file_problems(tree, cast):
    cases = [
        b"",
        b"\xd0\xcf\x11\xe0old excel",
        b"district,booth_no,favourite colour\nJaipur,1,red\n",
        b"district,ac_no,booth_no,name\nJaipur,45,1,x\n",  # no platform column
        b"platform,name,link\nX,x,@x\n",  # no unit column
        b"district,ac_no,booth_no,platform\n",  # no rows
        "district,booth_no,platform\nJaipur,1,X\n".encode("utf-16"),
    ]
    for data in cases:
        report = import_channels(file=io.BytesIO(data), root=tree.jaipur, by=cast.district_admin)
        assert not report.ok and report.errors[0].message
    assert not Channel.objects.exists()


def test_importer_needs_manage_channels_at_root(tree, cast):
    report = import_channels(file=csv_file(ENGLISH), root=tree.jaipur, by=cast.sibling_admin)
    assert not report.ok and not Channel.objects.exists()
    report = import_channels(file=csv_file(ENGLISH), root=tree.jaipur, by=cast.viewer)
    assert not report.ok and not Channel.objects.exists()


def test_dry_run_writes_nothing(tree, cast):
    report = import_channels(file=csv_file(ENGLISH), root=tree.jaipur, by=cast.district_admin, dry_run=True)
    assert report.ok and report.new_total == 4 and not report.imported
    assert not Channel.objects.exists()


def test_booth_names_and_skipped_levels_resolve(tree, cast):
    text = (
        "विधानसभा,ब्लॉक,बूथ का नाम,प्रकार,लिंक\n"
        f"जयपुर उत्तर,आमेर,आमेर किला द्वार,WhatsApp group,https://chat.whatsapp.com/{CODE}5\n"
        "Jaipur North,,Amer School,youtube,youtube.com/@amer.school\n"
    )
    report = import_channels(file=csv_file(text), root=tree.jaipur, by=cast.district_admin)
    assert report.ok, report.errors
    assert Channel.objects.get(platform=Platform.WHATSAPP_GROUP).unit == tree.booth2
    youtube = Channel.objects.get(platform=Platform.YOUTUBE)
    assert youtube.unit == tree.booth1 and youtube.name == tree.booth1.display_name


def test_management_command(tree, tmp_path, capsys):
    path = tmp_path / "channels.csv"
    path.write_text(ENGLISH, encoding="utf-8")
    call_command("import_channels", str(path), "--root", str(tree.jaipur.pk), "--dry-run")
    assert not Channel.objects.exists()
    call_command("import_channels", str(path), "--root", str(tree.jaipur.pk))
    assert Channel.objects.count() == 4
    out = capsys.readouterr().out
    assert "4" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("district,ac_no,booth_no,platform\nJaipur,45,9,X\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_channels", str(bad), "--root", str(tree.jaipur.pk))


# ---------------------------------------------------------------- hostile files, and the import as a job


def _never_parse(*args, **kwargs):
    raise AssertionError("openpyxl was asked to parse a file the limits refuse")


def test_a_zip_bomb_is_refused_before_parsing(tree, cast, monkeypatch):
    from sangathan.core import spreadsheets
    from sangathan.core.tests.test_spreadsheets import bomb

    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    with translation.override("en"):
        report = import_channels(file=io.BytesIO(bomb()), root=tree.jaipur, by=cast.district_admin)
    assert not report.ok and "too large once unpacked" in report.errors[0].message
    assert not Channel.objects.exists()


def test_too_many_rows_are_refused(tree, cast, monkeypatch):
    from sangathan.channels import importing
    from sangathan.core.spreadsheets import Limits

    monkeypatch.setattr(importing, "LIMITS", Limits(max_bytes=1024 * 1024, max_rows=3, blank_rows=0))
    rows = [["unit id", "platform", "name"]] + [[tree.booth1.pk, "broadcast", f"list {n}"] for n in range(5)]
    with translation.override("en"):
        report = import_channels(file=xlsx_file(rows), root=tree.jaipur, by=cast.district_admin)
        text = "unit id,platform,name\n" + "".join(f"{tree.booth1.pk},broadcast,list {n}\n" for n in range(5))
        csv_report = import_channels(file=csv_file(text), root=tree.jaipur, by=cast.district_admin)
    for result in (report, csv_report):
        assert not result.ok and "more than 3 rows" in result.errors[0].message
    assert not Channel.objects.exists()


def test_the_upload_only_queues_a_job_that_the_worker_completes(
    client, tree, cast, monkeypatch, django_capture_on_commit_callbacks
):
    """The web request stores the file and answers; the sheet is read only by the task (here the bomb)."""
    from django.urls import reverse

    from sangathan.channels import importing
    from sangathan.channels.models import ChannelImport
    from sangathan.core.tests.test_spreadsheets import bomb

    reader = importing.read_table
    monkeypatch.setattr(importing, "read_table", _never_parse)
    client.force_login(cast.district_admin)
    client.cookies["django_language"] = "en"
    upload = io.BytesIO(bomb())
    upload.name = "channels.xlsx"
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("channels:import", args=[tree.jaipur.pk]), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 302
    job = ChannelImport.objects.get()
    assert job.status == ChannelImport.Status.CHECKING and response["Location"].endswith(f"/imports/{job.pk}/")
    assert "hx-get" in client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Only the uploader's page shows the job; the sibling district's admin gets a 404.
    other = client.__class__()
    other.force_login(cast.sibling_admin)
    assert other.get(response["Location"]).status_code == 404

    monkeypatch.setattr(importing, "read_table", reader)
    for task in queued:  # the worker (eager mode: on commit)
        task()
    queued_again = ChannelImport.objects.get()
    assert queued_again.status == ChannelImport.Status.CHECKED and not queued_again.checked_ok
    from sangathan.channels.tasks import check_channel_import

    check_channel_import.apply(args=[job.pk])  # a redelivered task changes nothing
    assert ChannelImport.objects.get().report == queued_again.report
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "too large once unpacked" in page  # in the uploader's language, though the worker wrote it
    assert "hx-get" not in page and not Channel.objects.exists()
