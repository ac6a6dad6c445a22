"""A state's daily and weekly report: its numbers (the roll-ups', the wall's), the Hindi PDF that reads back,
the XLSX read back, made once however often it is made, delivered once (email with the files, a link
elsewhere), on the daily run, downloadable only in scope and never stored; the national view."""

import datetime
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from sangathan.access.models import Role, RoleAssignment
from sangathan.controlroom import report_numbers as report_numbers_module
from sangathan.controlroom import reports, services
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import StateReport
from sangathan.controlroom.report_numbers import report_numbers
from sangathan.core.daily import run_daily
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Level, Position, Unit
from sangathan.org.tests.factories import PersonFactory, UserFactory
from sangathan.outreach import services as outreach_services
from sangathan.testing import assert_pdf_reads_back, log_in, pdf_text
from sangathan.training import counters as training_counters
from sangathan.training.models import Completion, Programme

pytestmark = pytest.mark.django_db

DAILY, WEEKLY = StateReport.Kind.DAILY, StateReport.Kind.WEEKLY


@pytest.fixture
def day(bearers):
    """Yesterday, with reports from two booths of Jaipur and the Ajmer booth, and one two days before."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for name, posts, shares, on in (
        ("booth1", 3, 5, yesterday),
        ("booth2", 1, 0, yesterday),
        ("ajmer_booth", 4, 2, yesterday),
        ("booth1", 7, 0, yesterday - datetime.timedelta(days=1)),
    ):
        services.activity_report_submit(
            appointment_id=getattr(bearers, name).pk, day=on, counts={"posts": posts, "shares": shares}, today=on
        )
    for on in (yesterday - datetime.timedelta(days=1), yesterday):
        services.rollup_refresh(day=on)
    return yesterday


@pytest.fixture
def national_admin(tree):
    user = UserFactory(username="national_admin")
    RoleAssignment.objects.create(user=user, unit=tree.india, role=Role.NATIONAL_ADMIN)
    return user


def make(unit, kind=DAILY, on=None):
    return reports.report_make(unit=unit, kind=kind, day=on or timezone.localdate() - datetime.timedelta(days=1))


def test_the_numbers_are_the_roll_ups(tree, day):
    numbers = report_numbers(tree.rajasthan, DAILY, day)
    s = numbers.summary
    assert (s.reporting.done, s.reporting.total) == (3, 10)  # 3 of the 10 key office-bearers from the state down
    assert s.activity["posts"] == 8 and s.activity["shares"] == 7
    assert s.booths == 3 and s.posts_per_booth == round(8 / 3, 2)
    assert s.vacant == 0 and s.updated_at is not None
    lines = {line.unit.pk: line for line in numbers.children}
    assert (lines[tree.jaipur.pk].reporting.done, lines[tree.jaipur.pk].reporting.total) == (2, 5)
    assert (lines[tree.ajmer.pk].reporting.done, lines[tree.ajmer.pk].booths) == (1, 1)
    booth = next(line for line in numbers.levels if line.level.code == "booth")
    assert (booth.units, booth.units_reported, booth.activity["posts"]) == (3, 3, 8)
    # The week adds the day before (booth1's 7 posts) and counts every day's expected reports (making it
    # refreshes the roll-ups of the days that had none).
    make(tree.rajasthan, WEEKLY)
    week = report_numbers(tree.rajasthan, WEEKLY, day).summary
    assert week.activity["posts"] == 15 and week.reporting.done == 4 and week.reporting.total == 70


def test_the_cascade_and_vacancies_are_counted(tree, cast, day, bearers, django_capture_on_commit_callbacks):
    message = outreach_services.message_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="ZQ booth meeting",
        body_hi="रविवार को बूथ बैठक है।",
        text_whatsapp="बैठक!",
    )
    with django_capture_on_commit_callbacks(execute=True):
        outreach_services.message_send(message=message, by=cast.district_admin)
    numbers = report_numbers(tree.rajasthan, DAILY, timezone.localdate())
    assert [(m.message.title, m.acknowledged.total) for m in numbers.messages] == [("ZQ booth meeting", 2)]
    assert numbers.summary.cascade.total == 2
    assert report_numbers(tree.ajmer, DAILY, timezone.localdate()).messages == []


def test_the_pdf_reads_back_in_hindi_and_the_xlsx_holds_the_numbers(tree, day, pdf_sources, settings):
    report = make(tree.rajasthan)
    assert report.status == StateReport.Status.MADE and report.made_at and report.delivered_at is None
    [html] = pdf_sources
    assert "<svg" in html  # the chart, inline
    text = assert_pdf_reads_back(
        report.pdf.read(), html, words=("नियंत्रण", "प्रशिक्षित", "राजस्थान", "प्रति", "रिक्त", "पदाधिकारी", "ब्रॉडकास्ट")
    )
    assert "जयपुर" in text and "अजमेर" in text
    book = load_workbook(io.BytesIO(report.xlsx.read()), read_only=True)
    assert book.sheetnames[0] == "सारांश" and len(book.sheetnames) == 6
    units = {row[0]: row for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert units["जयपुर"][1:4] == (2, 5, 40)
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(row[0] == "आंकड़े अंतिम बार अद्यतन" for row in summary)  # "last updated"
    assert any(str(row[0]).startswith("रिपोर्टिंग दर:") for row in summary)  # a definition


def test_making_a_report_twice_keeps_one_and_replaces_its_files(tree, day):
    first = make(tree.rajasthan)
    old_pdf = first.pdf.name
    second = make(tree.rajasthan)
    assert second.pk == first.pk and StateReport.objects.count() == 1
    assert not second.pdf.storage.exists(old_pdf) or second.pdf.name == old_pdf
    assert second.pdf.storage.exists(second.pdf.name) and second.xlsx.storage.exists(second.xlsx.name)
    make(tree.rajasthan, WEEKLY)
    assert StateReport.objects.count() == 2


def test_the_training_table_counts_the_posts_the_summary_counts(tree, day, bearers):
    """The per-level training rows count posts, as the summary line does: a trained person holding two posts
    (Jaipur's in-charge, also in a post at Amer) counts at both levels, and the rows add up to the summary."""
    programme = Programme.objects.create(code="zq-two-posts", name_hi="बुनियादी")
    org_services.appointment_create(
        unit=tree.amer,
        position=Position.objects.filter(level=tree.amer.level, is_key=False).order_by("pk").first(),
        person=bearers.jaipur.person,
        start_date=bearers.jaipur.start_date,
    )
    Completion.objects.create(person=bearers.jaipur.person, programme=programme)
    training_counters.person_trained(person_id=bearers.jaipur.person_id)
    numbers = report_numbers(tree.rajasthan, DAILY, day)
    rows = {row.level.code: (row.appointed, row.trained) for row in numbers.training}
    assert rows["district"] == (2, 1) and rows["block"] == (3, 1)
    assert sum(a for a, _t in rows.values()) == numbers.summary.trained.total == 11
    assert sum(t for _a, t in rows.values()) == numbers.summary.trained.done == 2


def test_a_future_day_or_an_unknown_kind_is_refused(tree, day):
    with pytest.raises(ControlRoomError) as refused:
        make(tree.rajasthan, on=timezone.localdate() + datetime.timedelta(days=1))
    assert refused.value.code == "future_day"
    with pytest.raises(ControlRoomError):
        reports.report_make(unit=tree.rajasthan, kind="monthly", day=day)
    assert not StateReport.objects.exists()


def test_delivery_is_once_email_with_the_files_and_a_link_elsewhere(
    tree, day, bearers, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_DEFAULT_CHANNELS = ["email", "console"]
    state_leader = bearers.rajasthan.person
    state_leader.email = "state@example.org"
    state_leader.save()
    national = PersonFactory(name_en="National head", email="national@example.org")
    org_services.appointment_create(
        unit=tree.india, position=Position.objects.get(level=tree.india.level, is_key=True), person=national
    )
    report = make(tree.rajasthan)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers after the commit
        sent = reports.report_deliver(report_id=report.pk)
    assert sent == 4  # two people, email and console each
    assert reports.report_deliver(report_id=report.pk) == 0  # once
    report.refresh_from_db()
    assert report.delivered_at is not None
    messages = OutboxMessage.objects.filter(template="controlroom_state_report")
    assert messages.count() == 4
    assert {m.recipient for m in messages.filter(channel="email")} == {"state@example.org", "national@example.org"}
    # Nobody below the state: a district in-charge gets nothing.
    assert not messages.filter(person=bearers.jaipur.person).exists()
    console = messages.filter(channel="console").first()
    assert f"/controlroom/reports/{report.pk}/pdf/" in console.body
    assert len(mail.outbox) == 2
    email = mail.outbox[0]
    names = [name for name, _content, _type in email.attachments]
    assert names == [f"{reports.file_stem(report)}.pdf", f"{reports.file_stem(report)}.xlsx"]
    assert "नियंत्रण" in pdf_text(email.attachments[0][1])
    assert email.subject.startswith("नियंत्रण कक्ष की दैनिक रिपोर्ट")


def test_the_daily_run_makes_each_states_reports_once(tree, day, bearers, settings):
    settings.NOTIFY_DEFAULT_CHANNELS = ["console"]
    today = timezone.localdate()
    settings.CONTROLROOM_WEEKLY_REPORT_WEEKDAY = (today.weekday() + 1) % 7  # not today: the daily report only
    for _run in range(2):
        [outcome] = run_daily(today=today, only=["controlroom-reports"])
        assert not outcome.error
    assert list(StateReport.objects.values_list("unit_id", "kind", "day", "status")) == [
        (tree.rajasthan.pk, DAILY, day, StateReport.Status.MADE)
    ]
    assert StateReport.objects.get().delivered_at is not None
    # The state's one office-bearer (no national one in this tree), on the console, once over two runs.
    assert OutboxMessage.objects.filter(template="controlroom_state_report").count() == 1
    settings.CONTROLROOM_WEEKLY_REPORT_WEEKDAY = today.weekday()
    run_daily(today=today, only=["controlroom-reports"])
    assert StateReport.objects.filter(kind=WEEKLY, day=day).count() == 1
    assert OutboxMessage.objects.filter(template="controlroom_state_report").count() == 2


def test_a_report_that_cannot_be_made_is_left_failed_with_its_error(tree, day, monkeypatch, settings):
    from sangathan.controlroom import tasks

    def broken(numbers):
        raise OSError("disk full")

    monkeypatch.setattr(reports, "report_pdf", broken)
    with pytest.raises(OSError):
        tasks.make_state_report(tree.rajasthan.pk, DAILY, day.isoformat())
    # The daily run (tasks run inline here) reports the failure as its job's error.
    settings.CONTROLROOM_WEEKLY_REPORT_WEEKDAY = (timezone.localdate().weekday() + 1) % 7
    [outcome] = run_daily(today=day + datetime.timedelta(days=1), only=["controlroom-reports"])
    assert "1 reports failed" in outcome.error and "disk full" in outcome.error
    report = StateReport.objects.get()
    assert (report.status, report.error, report.pdf.name) == (StateReport.Status.FAILED, "OSError: disk full", "")
    assert not OutboxMessage.objects.filter(template="controlroom_state_report").exists()
    monkeypatch.undo()
    tasks.make_state_report(tree.rajasthan.pk, DAILY, day.isoformat())  # the next run makes it
    report.refresh_from_db()
    assert report.status == StateReport.Status.MADE and report.error == ""


# ---------------------------------------------------------------- the command


def test_the_command_writes_the_pdf_and_xlsx(tree, day, tmp_path, capsys):
    Unit.objects.filter(pk=tree.rajasthan.pk).update(code="RJ")
    out = tmp_path / "out"
    call_command("controlroom_report", "--unit", "RJ", "--day", day.isoformat(), "--out", str(out))
    paths = capsys.readouterr().out.split()
    assert [p.rsplit(".", 1)[-1] for p in paths] == ["pdf", "xlsx"]
    pdf = Path(paths[0]).read_bytes()
    assert pdf.startswith(b"%PDF") and "राजस्थान" in pdf_text(pdf)
    assert load_workbook(paths[1], read_only=True).sheetnames[0] == "सारांश"
    call_command("controlroom_report", "--unit", "RJ", "--day", day.isoformat(), "--weekly", "--out", str(out))
    assert StateReport.objects.filter(unit=tree.rajasthan).count() == 2


@pytest.mark.parametrize(
    ("unit", "when", "message"),
    [
        ("ZZ", "yesterday", "ZZ"),  # in Hindi, the language of the tests: "कोड ZZ वाली कोई इकाई नहीं …"
        ("999999", "yesterday", "id 999999 वाली कोई इकाई नहीं"),
        ("state", "2026-13-01", "--day एक तारीख होनी चाहिए"),
        ("state", "tomorrow", "जो दिन अभी पूरा नहीं हुआ"),
    ],
)
def test_the_command_refuses_bad_input(tree, day, tmp_path, unit, when, message):
    unit = str(tree.rajasthan.pk) if unit == "state" else unit
    when = {
        "yesterday": day.isoformat(),
        "tomorrow": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    }.get(when, when)
    # In Hindi, the installation's language (an earlier test in the same process may have left another active).
    with translation.override("hi"), pytest.raises(CommandError, match=message):
        call_command("controlroom_report", "--unit", unit, "--day", when, "--out", str(tmp_path))
    assert not StateReport.objects.exists() and not any(tmp_path.iterdir())


def test_the_command_refuses_an_out_that_is_a_file(tree, day, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with translation.override("hi"), pytest.raises(CommandError, match="कोई फ़ोल्डर नहीं है"):
        call_command(
            "controlroom_report", "--unit", str(tree.rajasthan.pk), "--day", day.isoformat(), "--out", str(target)
        )


# ---------------------------------------------------------------- the pages


def test_downloads_are_scoped_and_never_stored(client, tree, cast, day):
    state, district, sibling = make(tree.rajasthan), make(tree.jaipur), make(tree.ajmer)
    log_in(client, cast.district_admin)
    own = client.get(reverse("controlroom:report_download", args=[district.pk, "pdf"]))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert "no-store" in own["Cache-Control"] and "attachment" in own["Content-Disposition"]
    assert b"".join(own.streaming_content).startswith(b"%PDF")
    for report in (state, sibling):  # the state above and the sibling district: not found
        for fmt in ("pdf", "xlsx"):
            assert client.get(reverse("controlroom:report_download", args=[report.pk, fmt])).status_code == 404
    assert client.get(reverse("controlroom:report_download", args=[district.pk, "csv"])).status_code == 404
    listing = client.get(reverse("controlroom:reports")).content.decode()
    assert f'data-report="{district.pk}"' in listing
    assert f'data-report="{state.pk}"' not in listing and f'data-report="{sibling.pk}"' not in listing
    # A viewer has no control room: no report, even of their own district (seen there, so refused).
    log_in(client, cast.viewer)
    assert client.get(reverse("controlroom:report_download", args=[district.pk, "pdf"])).status_code == 403
    assert f'data-report="{district.pk}"' not in client.get(reverse("controlroom:reports")).content.decode()
    log_in(client, cast.state_admin)
    xlsx = client.get(reverse("controlroom:report_download", args=[sibling.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "no-store" in xlsx["Cache-Control"]


def test_the_national_view_puts_the_states_side_by_side(client, tree, cast, day, national_admin):
    report = make(tree.rajasthan)
    log_in(client, national_admin, language="hi")
    page = client.get(reverse("controlroom:national"), {"day": day.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert f'data-state="{tree.rajasthan.pk}"' in text and "30%" in text  # 3 of 10 reported
    assert reverse("controlroom:report_download", args=[report.pk, "pdf"]) in text
    assert "रिपोर्टिंग दर:" in text  # the definitions
    bad = client.get(reverse("controlroom:national"), {"day": "kal"})
    assert bad.status_code == 200 and "तारीख" in bad.content.decode()
    # A state admin's control room is one state, not the country.
    log_in(client, cast.state_admin)
    assert client.get(reverse("controlroom:national")).status_code == 403


def test_the_national_view_reads_training_from_the_counters(tree, day, bearers):
    """A state's trained posts are its counter (the posts of a trained person, as the scorecards count them),
    equal to a count over its appointments; the side-by-side reads a fixed number of queries a state (14, was
    15 when training was counted over each state's appointments)."""
    programme = Programme.objects.create(code="zq-national", name_hi="बुनियादी")
    Completion.objects.create(person=bearers.booth1.person, programme=programme)
    training_counters.person_trained(person_id=bearers.booth1.person_id)
    with CaptureQueriesContext(connection) as queries:
        rows = report_numbers_module.states_side_by_side(day)
    summary = next(s for s, _report in rows if s.unit.pk == tree.rajasthan.pk)
    assert (summary.trained.done, summary.trained.total) == (1, 10)
    assert summary.trained.done == training_counters.naive_count(tree.rajasthan)
    assert len(rows) == 1 and len(queries) == 14, [query["sql"] for query in queries.captured_queries]
