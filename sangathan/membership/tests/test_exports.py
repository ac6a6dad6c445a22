"""The members export: a unit's subtree only, the mobile always masked, the voter ID masked, the age as a
decade without view_personal; formula cells neutralised; one audit entry per export; a viewer may not
export, a sibling district gets 404 and no audit entry."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from sangathan.access.personal import may_see_personal_at
from sangathan.audit.models import AuditEntry
from sangathan.membership import exports
from sangathan.membership.models import Member
from sangathan.membership.tests.conftest import join
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(tree):
    return {
        "mine": join(tree.booth1, name="Seema Meena", epic="RJX1234567", age=34, verify=True),
        "formula": join(tree.booth2, name="=HYPERLINK Ram"),
        "ajmer": join(tree.ajmer_booth, name="Ajmer Member", verify=True),
    }


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def exports_logged(unit) -> int:
    return AuditEntry.objects.filter(
        object_pk=str(unit.pk), additional_data__bulk__startswith="membership export"
    ).count()


def test_the_csv_is_the_subtree_masked_and_audited(client, cast, tree, members):
    client = log_in(client, cast.district_admin)
    response = client.get(reverse("membership:export_csv", args=[tree.jaipur.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = csv_text(response)
    mine = members["mine"]
    assert "Seema Meena" in text and "Ajmer Member" not in text
    assert mine.mobile[3:] not in text.replace(" ", "") and "RJX1234567" not in text and "RJX•••••67" in text
    assert "'=HYPERLINK Ram" in text
    entry = AuditEntry.objects.filter(object_pk=str(tree.jaipur.pk)).latest("id")
    assert entry.additional_data["bulk"] == "membership export csv" and entry.additional_data["count"] == 2
    assert entry.actor == cast.district_admin


def test_the_xlsx_reads_back_and_ages_are_decades_without_view_personal(client, cast, tree, members):
    client = log_in(client, cast.state_admin)
    response = client.get(reverse("membership:export_xlsx", args=[tree.jaipur.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Name" and len(rows) == 3
    seema = next(row for row in rows if row[0] == "Seema Meena")
    assert seema[4] == (34 if may_see_personal_at(cast.state_admin, tree.jaipur) else "30–39")
    assert "•" in seema[2]
    viewer_age = exports.columns(full_age=False)[4][1](members["mine"])
    assert viewer_age == "30–39"


def test_the_days_joined_and_verified_are_the_days_in_india(tree):
    """Joined at 00:10 IST on 1 January (18:40 UTC on 31 December): the export says 1 January."""
    member = join(tree.booth1, verify=True)
    at = datetime.datetime(2026, 12, 31, 18, 40, tzinfo=datetime.UTC)
    Member.objects.filter(pk=member.pk).update(joined_at=at, verified_at=at)
    member = Member.objects.get(pk=member.pk)
    with translation.override("en"):
        values = {str(title): value(member) for title, value in exports.columns(full_age=False)}
    assert values["Joined"] == values["Verified"] == "2027-01-01"


def test_a_viewer_may_not_export_and_a_sibling_gets_404_and_nothing_is_logged(client, cast, tree, members):
    viewer = log_in(client, cast.viewer)
    assert viewer.get(reverse("membership:export_csv", args=[tree.jaipur.pk])).status_code == 403
    sibling = log_in(client, cast.sibling_admin)
    assert sibling.get(reverse("membership:export_csv", args=[tree.jaipur.pk])).status_code == 404
    assert sibling.get(reverse("membership:export_xlsx", args=[tree.booth1.pk])).status_code == 404
    assert exports_logged(tree.jaipur) == 0 and exports_logged(tree.booth1) == 0
    own = csv_text(sibling.get(reverse("membership:export_csv", args=[tree.ajmer.pk])))
    assert "Ajmer Member" in own and "Seema Meena" not in own
