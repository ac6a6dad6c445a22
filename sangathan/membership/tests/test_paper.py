"""Paper membership forms: typed in one after another at a booth, or a sheet uploaded and entered by the
worker. Each member is pending, gets an SMS with a "not me" link, and counts after a code or after the
dispute days without "not me" (the daily run). Scope: a sibling district enters and sees nothing."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.core.daily import run_daily
from sangathan.membership import counters, services
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import Member, MemberImport
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tasks import run_member_import
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import log_in, sent_code

pytestmark = pytest.mark.django_db

NOT_ME_PATH = re.compile(r"https?://[^/\s]+(/join/not-me/[^\s]+/)")


def paper_data(**changes) -> dict:
    data = {"name": "Kamla Devi", "mobile": next_mobile()[3:], "age": "44", "epic": "", "gender": "female"}
    data.update(changes)
    return data


def enter(tree, by, *, unit=None, **fields) -> Member:
    data = {"name": "Kamla Devi", "mobile": next_mobile(), "age": 44, **fields}
    return services.member_enter(unit=unit or tree.booth1, by=by, **data)


def days_later(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# ---------------------------------------------------------------- the service


def test_a_paper_form_is_pending_gets_the_not_me_sms_and_does_not_count_yet(tree, cast):
    member = enter(tree, cast.district_admin)
    assert member.status == Member.Status.PENDING and member.source == Member.Source.PAPER
    assert member.entered_by == cast.district_admin
    assert counts_for_unit(tree.india).verified == 0 and counts_for_unit(tree.india).pending == 1
    sms = OutboxMessage.objects.get(template="membership_paper_entered", recipient=member.mobile)
    assert NOT_ME_PATH.search(sms.body) and "7" in sms.body


def test_the_same_number_or_a_members_voter_id_is_refused_and_nothing_changes(tree, cast):
    first = enter(tree, cast.district_admin, epic="RJX1234567")
    with pytest.raises(MembershipError) as refused:
        enter(tree, cast.district_admin, mobile=first.mobile, name="Someone Else")
    assert refused.value.code == "mobile_taken"
    online = join(tree.booth2, epic="RJX7654321", verify=True)
    with pytest.raises(MembershipError) as refused:
        enter(tree, cast.district_admin, epic=online.epic)
    assert refused.value.code == "epic_taken"
    with pytest.raises(MembershipError) as refused:
        enter(tree, cast.district_admin, age=15)
    assert refused.value.code == "under_age"
    assert Member.objects.count() == 2 and counts_for_unit(tree.india).pending == 1
    assert OutboxMessage.objects.filter(template="membership_paper_entered").count() == 1


def test_after_the_dispute_days_the_daily_run_promotes_and_the_counters_follow(tree, cast):
    promoted = [enter(tree, cast.district_admin, unit=unit) for unit in (tree.booth1, tree.booth1, tree.booth2)]
    fresh = enter(tree, cast.district_admin, at=days_later(3))
    online = join(tree.booth1)  # a join-page sign-up waits for its code, however old
    Member.objects.filter(pk=online.pk).update(joined_at=days_later(-30))
    assert services.paper_members_promote(at=days_later(6.9)) == 0
    assert services.paper_members_promote(at=days_later(7.01)) == 3
    assert services.paper_members_promote(at=days_later(7.01)) == 0  # twice is once
    statuses = dict(Member.objects.values_list("pk", "status"))
    assert all(statuses[m.pk] == "verified" for m in promoted)
    assert statuses[fresh.pk] == "pending" and statuses[online.pk] == "pending"
    assert counts_for_unit(tree.booth1).verified == 2 and counts_for_unit(tree.booth2).verified == 1
    assert counts_for_unit(tree.india).verified == 3 and counts_for_unit(tree.india).pending == 2
    for unit in (tree.india, tree.rajasthan, tree.jaipur, tree.amer, tree.booth1, tree.booth2, tree.ajmer):
        assert counters.naive_counts(unit) == (counts_for_unit(unit).verified, counts_for_unit(unit).pending)
    entries = AuditEntry.objects.filter(
        content_type__model="member", object_pk__in=[str(m.pk) for m in promoted], action=AuditEntry.Action.UPDATE
    )
    assert entries.count() == 3 and all(e.changes["status"] == ["pending", "verified"] for e in entries)


@override_settings(MEMBERSHIP_DISPUTE_DAYS=2)
def test_the_dispute_days_are_a_setting_and_the_daily_run_calls_the_promotion(tree, cast):
    member = enter(tree, cast.district_admin, at=days_later(-3))
    run_daily(only=["membership-paper-promote"])
    member.refresh_from_db()
    assert member.status == "verified" and counts_for_unit(tree.india).verified == 1


def test_not_me_on_a_paper_form_removes_it_and_it_is_never_promoted(client, tree, cast):
    member = enter(tree, cast.district_admin, at=days_later(-8))
    body = OutboxMessage.objects.get(template="membership_paper_entered", recipient=member.mobile).body
    path = NOT_ME_PATH.search(body).group(1)
    assert client.post(path, {"confirm": "yes"}).status_code == 200
    member.refresh_from_db()
    assert member.status == "revoked" and member.revoked_via == "not_me"
    assert counts_for_unit(tree.india).pending == 0
    assert services.paper_members_promote() == 0
    assert counts_for_unit(tree.india).verified == 0


def test_a_code_confirmed_on_the_join_page_verifies_a_paper_member_at_once(tree, cast):
    member = enter(tree, cast.district_admin)
    answer = services.member_join(unit=tree.booth1, name="Kamla Devi", mobile=member.mobile, age=44)
    assert answer.member.pk == member.pk
    services.member_confirm(
        form_token="",
        member_id=member.pk,
        challenge_id=answer.challenge_id,
        mobile=member.mobile,
        code=sent_code(member.mobile),
    )
    assert Member.objects.get(pk=member.pk).status == "verified" and counts_for_unit(tree.india).verified == 1
    assert services.paper_members_promote(at=days_later(8)) == 0


def test_two_paper_forms_with_one_voter_id_promote_only_the_first(tree, cast):
    first = enter(tree, cast.district_admin, epic="RJX1111111", at=days_later(-9))
    second = enter(tree, cast.district_admin, epic="RJX1111111", at=days_later(-8))
    assert services.paper_members_promote() == 1
    assert Member.objects.get(pk=first.pk).status == "verified"
    assert Member.objects.get(pk=second.pk).status == "pending"


# ---------------------------------------------------------------- the entry page


def test_the_entry_page_keeps_the_booth_and_counts_todays_forms(client, cast, tree):
    client = log_in(client, cast.district_admin)
    url = reverse("membership:paper", args=[tree.booth1.pk])
    page = client.get(url).content.decode()
    assert 'id="entered-today">0<' in page and "Amer School" in page
    for _form in range(2):
        response = client.post(url, paper_data(), follow=True)
        assert response.redirect_chain[-1][0] == url
    page = response.content.decode()
    assert 'id="entered-today">2<' in page and 'value="Kamla Devi"' not in page
    assert Member.objects.filter(unit=tree.booth1, source="paper").count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", "10"),
        ("age", "15", "18"),
        ("age", "abc", "27"),
        ("epic", "12345", "ABC1234567"),
        ("name", "", "name"),
        ("name", "<script>alert(1)</script>", ""),
        ("gender", "robot", "Choose"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, cast, tree, field, value, message):
    client = log_in(client, cast.district_admin)
    response = client.post(reverse("membership:paper", args=[tree.booth1.pk]), paper_data(**{field: value}))
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert message in response.content.decode()
    assert not Member.objects.exists()


def test_bad_input_is_told_in_hindi(client, cast, tree):
    client = log_in(client, cast.district_admin, language="hi")
    response = client.post(reverse("membership:paper", args=[tree.booth1.pk]), paper_data(age="15"))
    assert "कम से कम 18" in response.content.decode()
    duplicate = enter(tree, cast.district_admin)
    response = client.post(reverse("membership:paper", args=[tree.booth1.pk]), paper_data(mobile=duplicate.mobile[3:]))
    assert "पहले से" in response.content.decode() and Member.objects.count() == 1


def test_entry_is_at_a_booth_by_those_who_may_appoint(client, cast, tree):
    admin = log_in(client, cast.district_admin)
    above = admin.get(reverse("membership:paper", args=[tree.jaipur.pk]))
    assert above.status_code == 302 and above.url == reverse("membership:unit", args=[tree.jaipur.pk])
    viewer = log_in(client.__class__(), cast.viewer)
    assert viewer.get(reverse("membership:paper", args=[tree.booth1.pk])).status_code == 403
    assert viewer.post(reverse("membership:paper", args=[tree.booth1.pk]), paper_data()).status_code == 403
    assert not Member.objects.exists()


def test_a_sibling_district_cannot_enter_or_upload_at_jaipurs_booth(client, cast, tree):
    client = log_in(client, cast.sibling_admin)
    assert client.get(reverse("membership:paper", args=[tree.booth1.pk])).status_code == 404
    assert client.post(reverse("membership:paper", args=[tree.booth1.pk]), paper_data()).status_code == 404
    upload = SimpleUploadedFile("forms.csv", b"name,mobile,age\nA B,9829012345,30\n")
    assert client.post(reverse("membership:sheet_upload", args=[tree.booth1.pk]), {"file": upload}).status_code == 404
    assert not Member.objects.exists() and not MemberImport.objects.exists()
    assert client.get(reverse("membership:paper", args=[tree.ajmer_booth.pk])).status_code == 200


# ---------------------------------------------------------------- sheets


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def upload(client, unit, content: bytes, name="forms.csv"):
    """Upload a sheet; the task queued after the request's commit runs (eagerly), then the page it went to."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("membership:sheet_upload", args=[unit.pk]), {"file": SimpleUploadedFile(name, content)}
        )
    return client.get(response.url) if response.status_code == 302 else response


def test_a_sheet_enters_good_rows_lists_bad_ones_by_row_and_is_idempotent(client, cast, tree):
    client = log_in(client, cast.district_admin)
    sheet = csv_bytes(
        "नाम,मोबाइल,आयु,मतदाता पहचान पत्र,लिंग,बूथ",
        "सीमा मीणा,98290 11111,27,RJX1234567,महिला,1",
        "Ravi Kumar,9829022222,31,,male,Amer Fort Gate",
        "Under Age,9829033333,15,,,1",
        "Bad Booth,9829044444,40,,,77",
        "Bad Mobile,12345,40,,,1",
    )
    response = upload(client, tree.jaipur_ac, sheet)
    page = response.content.decode()
    job = MemberImport.objects.get()
    assert job.status == "imported" and job.content == b"" and job.report["entered"] == 2
    assert 'id="sheet-entered">2<' in page
    assert [row for row, _column, _message in job.report["errors"]] == [4, 5, 6]
    assert Member.objects.get(mobile="+919829011111").unit == tree.booth1
    assert Member.objects.get(mobile="+919829022222").unit == tree.booth2
    assert Member.objects.filter(source="sheet", status="pending").count() == 2
    assert OutboxMessage.objects.filter(template="membership_paper_entered").count() == 2
    again = upload(client, tree.jaipur_ac, sheet)
    assert 'id="sheet-entered">0<' in again.content.decode()
    assert MemberImport.objects.latest("pk").report["already"] == 2
    assert Member.objects.count() == 2 and counts_for_unit(tree.india).pending == 2


def test_an_excel_sheet_at_a_booth_needs_no_booth_column(client, cast, tree):
    book = openpyxl.Workbook()
    book.active.append(["Name", "Mobile", "Age"])
    book.active.append(["Kamla Devi", 9829055555, 52])
    data = io.BytesIO()
    book.save(data)
    upload(log_in(client, cast.district_admin), tree.booth1, data.getvalue(), name="forms.xlsx")
    assert Member.objects.get().unit == tree.booth1 and MemberImport.objects.get().report["entered"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x00\x01binary", "not a CSV"),
        (b"name,mobile\nA,9829012345\n", "“age”"),
        (b"name,mobile,age,shoe size\nA,9829012345,30,9\n", "Unknown column"),
        (b"name,mobile,age\n", "no data rows"),
    ],
)
def test_a_bad_sheet_says_why_and_enters_nobody(client, cast, tree, content, message):
    response = upload(log_in(client, cast.district_admin), tree.booth1, content)
    assert message in response.content.decode()
    assert not Member.objects.exists()


def test_a_sheet_above_a_booth_needs_the_booth_column(client, cast, tree):
    response = upload(
        log_in(client, cast.district_admin), tree.jaipur, csv_bytes("name,mobile,age", "A B,9829012345,30")
    )
    assert "“booth”" in response.content.decode() and not Member.objects.exists()


def test_only_the_uploader_sees_a_sheets_outcome(client, cast, tree):
    upload(log_in(client, cast.district_admin), tree.booth1, csv_bytes("name,mobile,age", "A B,9829012345,30"))
    job = MemberImport.objects.get()
    url = reverse("membership:sheet", args=[job.pk])
    assert log_in(client.__class__(), cast.sibling_admin).get(url).status_code == 404
    assert log_in(client.__class__(), cast.state_admin).get(url).status_code == 404
    assert log_in(client.__class__(), cast.district_admin).get(url).status_code == 200


def test_running_the_import_task_again_changes_nothing(client, cast, tree):
    upload(log_in(client, cast.district_admin), tree.booth1, csv_bytes("name,mobile,age", "A B,9829012345,30"))
    job = MemberImport.objects.get()
    run_member_import(job.pk)
    assert Member.objects.count() == 1 and MemberImport.objects.get().report == job.report
