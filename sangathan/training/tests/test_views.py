"""Staff pages: what each member of the cast sees and may change, and that refusals change nothing."""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from sangathan.access.models import Role, RoleAssignment
from sangathan.org.models import Level
from sangathan.org.tests.factories import UserFactory, make_unit
from sangathan.testing import log_in, pdf_text, squeeze
from sangathan.training import services
from sangathan.training.models import Attendance, Camp, Completion, Invitation
from sangathan.training.tests.conftest import MONDAY, code_of, local

PASSWORD = "a-long-test-password"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def amer_admin(tree):
    user = UserFactory(username="amer_admin")
    RoleAssignment.objects.create(user=user, unit=tree.amer, role=Role.UNIT_ADMIN)
    return user


@pytest.fixture
def other_block_camp(tree, programme, people):
    """A camp at Sanganer, a second block of the Jaipur district (not Amer)."""
    ac = make_unit(tree.jaipur, "assembly", "Jaipur South", number=46, name_hi="जयपुर दक्षिण")
    sanganer = make_unit(ac, "block", "Sanganer", name_hi="सांगानेर")
    return services.camp_create(
        programme=programme, host_unit=sanganer, venue="x", starts_at=local(MONDAY, 10), ends_at=local(MONDAY, 12)
    )


def snapshot():
    return (
        list(Camp.objects.values_list("pk", "status", "allow_walk_ins").order_by("pk")),
        Invitation.objects.count(),
        Attendance.objects.count(),
        Completion.objects.count(),
    )


# ---------------------------------------------------------------- scope: seeing


def test_list_shows_only_camps_in_scope(client, cast, camp, sibling_camp, django_assert_max_num_queries):
    log_in(client, cast.district_admin, language="hi")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training:camps") + "?week=2026-12-07")
    html = response.content.decode()
    assert reverse("training:camp", args=[camp.pk]) in html
    assert reverse("training:camp", args=[sibling_camp.pk]) not in html


def test_list_query_count_does_not_grow_with_camps(client, cast, camp, tree, programme, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log_in(client, cast.district_admin, language="hi")
    url = reverse("training:camps") + "?week=2026-12-07"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for hour in (11, 12, 13):
        services.camp_create(
            programme=programme,
            host_unit=tree.amer,
            venue="x",
            starts_at=local(MONDAY, hour),
            ends_at=local(MONDAY, 18),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).content.decode().count("camp-card") == 4


@pytest.mark.parametrize("who", ["sibling_admin", "outsider"])
def test_camp_outside_scope_is_404(client, cast, camp, who):
    log_in(client, getattr(cast, who), language="hi")
    for name in ("training:camp", "training:camp_qr", "training:roll_call"):
        assert client.get(reverse(name, args=[camp.pk])).status_code == 404


def test_block_in_charge_cannot_see_another_blocks_camp_or_attendance(client, amer_admin, camp, other_block_camp):
    log_in(client, amer_admin, language="hi")
    assert client.get(reverse("training:camp", args=[camp.pk])).status_code == 200
    for name in ("training:camp", "training:roll_call", "training:camp_qr"):
        assert client.get(reverse(name, args=[other_block_camp.pk])).status_code == 404
    html = client.get(reverse("training:camps") + "?week=2026-12-07").content.decode()
    assert reverse("training:camp", args=[other_block_camp.pk]) not in html


def test_viewer_sees_but_cannot_change(client, cast, camp, people):
    log_in(client, cast.viewer, language="hi")
    assert client.get(reverse("training:camp", args=[camp.pk])).status_code == 200
    assert client.get(reverse("training:roll_call", args=[camp.pk])).status_code == 403
    before = snapshot()
    for name in ("training:camp_invite", "training:camp_remind", "training:camp_walk_ins", "training:camp_cancel"):
        assert client.post(reverse(name, args=[camp.pk]), {"allow": "1"}).status_code == 403
    url = reverse("training:roll_call_mark", args=[camp.pk, people.booth1_rep.pk])
    assert client.post(url, {"present": "1"}).status_code == 403
    assert snapshot() == before


def test_sibling_district_cannot_change(client, cast, camp, people):
    log_in(client, cast.sibling_admin, language="hi")
    before = snapshot()
    for name in ("training:camp_invite", "training:camp_remind", "training:camp_walk_ins", "training:camp_cancel"):
        assert (
            client.post(reverse(name, args=[camp.pk]), {"allow": "1", "mobile": people.booth1_rep.mobile}).status_code
            == 404
        )
    url = reverse("training:roll_call_mark", args=[camp.pk, people.booth1_rep.pk])
    assert client.post(url, {"present": "1"}).status_code == 404
    assert snapshot() == before


def test_block_in_charge_cannot_change_another_blocks_camp(client, amer_admin, other_block_camp):
    log_in(client, amer_admin, language="hi")
    before = snapshot()
    assert client.post(reverse("training:camp_walk_ins", args=[other_block_camp.pk]), {"allow": "1"}).status_code == 404
    assert client.post(reverse("training:camp_cancel", args=[other_block_camp.pk])).status_code == 404
    assert snapshot() == before


# ---------------------------------------------------------------- pages that write


def test_camp_page_shows_qr_that_decodes_to_the_check_in_url(client, cast, camp):
    log_in(client, cast.district_admin, language="hi")
    html = client.get(reverse("training:camp", args=[camp.pk])).content.decode()
    url = f"http://testserver/t/{camp.check_in_token}/"
    assert url in html
    response = client.get(reverse("training:camp_qr", args=[camp.pk]))
    assert response["Content-Type"] == "image/png"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert barcode.text == url


def test_create_camp_through_the_form(client, cast, tree, programme, people):
    log_in(client, cast.district_admin, language="hi")
    assert client.get(reverse("training:camp_new")).status_code == 200
    data = {
        "programme": programme.pk,
        "host_unit": tree.amer.pk,
        "venue": "पंचायत भवन, आमेर",
        "day": "2026-12-10",
        "start": "10:00",
        "end": "16:00",
        "capacity": "40",
        "trainers": people.kishangarh_in_charge.mobile,  # a trainer from outside the district
        "invite_appointees": "on",
    }
    response = client.post(reverse("training:camp_new"), data)
    camp = Camp.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("training:camp", args=[camp.pk])
    assert camp.starts_at == local(datetime.date(2026, 12, 10), 10)
    assert list(camp.trainers.all()) == [people.kishangarh_in_charge]
    assert camp.invitations.count() == 3


def test_create_camp_refuses_a_unit_outside_scope_and_bad_times(client, cast, tree, programme):
    log_in(client, cast.district_admin, language="hi")
    data = {
        "programme": programme.pk,
        "host_unit": tree.kishangarh.pk,
        "venue": "x",
        "day": "2026-12-10",
        "start": "16:00",
        "end": "10:00",
    }
    response = client.post(reverse("training:camp_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has-error" in html
    assert not Camp.objects.exists()


def test_bulk_plan_through_the_form(client, cast, tree, programme, people):
    log_in(client, cast.district_admin, language="hi")
    assert client.get(reverse("training:camp_plan")).status_code == 200
    data = {
        "programme": programme.pk,
        "parent": tree.jaipur.pk,
        "level": Level.objects.get(code="block").pk,
        "week_start": "2026-12-07",
        "days": "6",
        "start": "10:00",
        "hours": "5",
        "venue": "ब्लॉक कार्यालय",
        "trainers": people.kishangarh_in_charge.mobile,
        "invite_appointees": "on",
    }
    response = client.post(reverse("training:camp_plan"), data)
    assert response.status_code == 302
    assert list(Camp.objects.values_list("host_unit_id", flat=True)) == [tree.amer.pk]
    assert list(Camp.objects.get().trainers.all()) == [people.kishangarh_in_charge]
    # The sibling district is not in the district admin's list.
    data["parent"] = tree.ajmer.pk
    response = client.post(reverse("training:camp_plan"), data)
    assert response.status_code == 200 and Camp.objects.count() == 1


def test_roll_call_tick_with_htmx(client, cast, camp, people, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(MONDAY, 11))
    log_in(client, cast.district_admin, language="hi")
    html = client.get(reverse("training:roll_call", args=[camp.pk])).content.decode()
    assert people.booth1_rep.name_hi in html
    url = reverse("training:roll_call_mark", args=[camp.pk, people.booth1_rep.pk])
    response = client.post(url, {"present": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'class="is-present"' in response.content.decode()
    attendance = Attendance.objects.get()
    assert attendance.method == Attendance.Method.ROLL_CALL and attendance.recorded_by == cast.district_admin
    client.post(url, {"present": "0"}, HTTP_HX_REQUEST="true")
    assert not Attendance.objects.exists()


def test_roll_call_refuses_a_person_not_invited(client, cast, camp, people):
    log_in(client, cast.district_admin, language="hi")
    url = reverse("training:roll_call_mark", args=[camp.pk, people.kishangarh_in_charge.pk])
    assert client.post(url, {"present": "1"}).status_code == 404
    assert not Attendance.objects.exists()


def test_invite_by_mobile_and_generate(client, cast, camp, tree):
    from sangathan.org.tests.factories import PersonFactory

    log_in(client, cast.district_admin, language="hi")
    person = PersonFactory(home_unit=tree.booth2)
    client.post(reverse("training:camp_invite", args=[camp.pk]), {"mobile": person.mobile})
    assert camp.invitations.filter(person=person).exists()
    response = client.post(reverse("training:camp_invite", args=[camp.pk]), {"mobile": "12"}, follow=True)
    assert response.status_code == 200 and "msg-error" in response.content.decode()


# ---------------------------------------------------------------- certificates


def test_certificate_pdf_in_hindi_reads_back(client, cast, camp, people):
    result = services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=local(MONDAY, 10)
    )
    completion = result.completion
    log_in(client, cast.district_admin, language="hi")
    response = client.get(reverse("training:certificate", args=[completion.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    squeezed = squeeze(text)
    # (and it spells a reph like र्मा out of order): the name's words without their reph.
    assert "सीमाश" in squeezed and "नेआमेरमेंआयोज" in squeezed
    assert "प्रशक्षणप्रमाण-पत्र" in squeezed
    assert "डजटलप्रकोष्ठबुनयादीप्रशक्षण" in squeezed
    assert completion.certificate_number in text
    assert re.search(r"07/12/2026", text)
    english = client.get(reverse("training:certificate", args=[completion.pk]) + "?lang=en")
    assert "Certificate of Training" in pdf_text(english.content)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "training-certificate-hi.pdf").write_bytes(response.content)


def test_certificate_outside_scope_is_404(client, cast, camp, people):
    completion = services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=local(MONDAY, 10)
    ).completion
    log_in(client, cast.sibling_admin, language="hi")
    assert client.get(reverse("training:certificate", args=[completion.pk])).status_code == 404


# ---------------------------------------------------------------- coverage


def test_coverage_partial_and_page(client, cast, camp, people, tree):
    services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=local(MONDAY, 10)
    )
    log_in(client, cast.state_admin, language="hi")
    response = client.get(reverse("training:coverage"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="coverage"' in html and "<html" not in html
    assert "1/2" in html  # booth level: one of two booth representatives trained
    page = client.get(reverse("training:coverage") + f"?unit={tree.jaipur.pk}").content.decode()
    assert "<html" in page and tree.jaipur.name_hi in page


def test_coverage_outside_scope_is_404(client, cast, tree, people):
    log_in(client, cast.sibling_admin, language="hi")
    assert client.get(reverse("training:coverage") + f"?unit={tree.jaipur.pk}").status_code == 404
    assert client.get(reverse("training:coverage") + "?unit=abc").status_code == 404
    log_in(client, cast.outsider, language="hi")
    assert client.get(reverse("training:coverage")).status_code == 404


def test_camp_page_and_roll_call_queries_do_not_grow_with_invitees(client, cast, camp, tree, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sangathan.org.tests.factories import PersonFactory

    log_in(client, cast.district_admin, language="hi")
    pages = [reverse("training:camp", args=[camp.pk]), reverse("training:roll_call", args=[camp.pk])]
    counts = []
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    for _ in range(5):
        Invitation.objects.create(camp=camp, person=PersonFactory(home_unit=tree.booth1))
    for url, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            client.get(url)


def test_check_in_poster_reads_back_and_scans(client, cast, camp, tmp_path):
    log_in(client, cast.district_admin, language="hi")
    response = client.get(reverse("training:camp_poster", args=[camp.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    squeezed = squeeze(pdf_text(response.content))
    assert "ब्लॉकआमेर·ब्लॉक" in squeezed and "उपस्थतदर्जकरें" in squeezed and "7दसंबर2026" in squeezed
    subprocess.run(  # noqa: S603
        [shutil.which("pdftoppm"), "-png", "-r", "100", "-singlefile", str(pdf), str(tmp_path / "poster")], check=True
    )
    [barcode] = zxingcpp.read_barcodes(Image.open(tmp_path / "poster.png"))
    assert barcode.text == f"http://testserver/t/{camp.check_in_token}/"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603
        [
            shutil.which("pdftoppm"),
            "-png",
            "-r",
            "50",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "training-poster-a4-hi"),
        ],
        check=True,
    )
    log_in(client, cast.sibling_admin, language="hi")
    assert client.get(reverse("training:camp_poster", args=[camp.pk])).status_code == 404


def test_programmes_page(client, cast, programme, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sangathan.training.models import Module, Programme

    log_in(client, cast.viewer, language="hi")
    client.get(reverse("training:programmes"))
    with CaptureQueriesContext(connection) as one:
        html = client.get(reverse("training:programmes")).content.decode()
    assert "तथ्य-जाँच" in html and "315" in html
    other = Programme.objects.create(code="workshop", name_hi="कार्यशाला")
    Module.objects.create(programme=other, order=1, name_hi="रणनीति")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("training:programmes"))


def test_edit_camp_page(client, cast, camp, people):
    log_in(client, cast.district_admin, language="hi")
    url = reverse("training:camp_edit", args=[camp.pk])
    assert 'value="10:00"' in client.get(url).content.decode()
    data = {"venue": "पंचायत भवन", "day": "2026-12-08", "start": "09:00", "end": "13:00", "capacity": "", "trainers": ""}
    assert client.post(url, data).status_code == 302
    camp.refresh_from_db()
    assert camp.venue == "पंचायत भवन" and camp.starts_at == local(MONDAY + datetime.timedelta(days=1), 9)


def test_edit_camp_scope(client, cast, camp):
    before = snapshot(), Camp.objects.values_list("venue", flat=True).get()
    data = {"venue": "x", "day": "2026-12-08", "start": "09:00", "end": "13:00"}
    log_in(client, cast.sibling_admin, language="hi")
    assert client.post(reverse("training:camp_edit", args=[camp.pk]), data).status_code == 404
    log_in(client, cast.viewer, language="hi")
    assert client.post(reverse("training:camp_edit", args=[camp.pk]), data).status_code == 403
    assert (snapshot(), Camp.objects.values_list("venue", flat=True).get()) == before


def test_roll_call_walk_in(client, cast, camp, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(MONDAY, 11))
    log_in(client, cast.district_admin, language="hi")
    assert "walk-in/" in client.get(reverse("training:roll_call", args=[camp.pk])).content.decode()
    url = reverse("training:roll_call_walk_in", args=[camp.pk])
    response = client.post(url, {"mobile": "9876501234", "name": "Sunil Kumar"}, follow=True)
    assert "Sunil Kumar" in response.content.decode()
    assert Attendance.objects.get().method == Attendance.Method.WALK_IN
    log_in(client, cast.sibling_admin, language="hi")
    assert client.post(url, {"mobile": "9876501239", "name": "x"}).status_code == 404
    assert Attendance.objects.count() == 1


def test_attendance_csv_is_formula_safe_and_scoped(client, cast, camp, people):
    Person = people.booth1_rep.__class__
    Person.objects.filter(pk=people.booth2_rep.pk).update(name_en="=HYPERLINK(1)")
    services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=local(MONDAY, 10)
    )
    log_in(client, cast.district_admin, language="hi")
    text = client.get(reverse("training:camp_export", args=[camp.pk])).content.decode("utf-8-sig")
    assert "सीमा शर्मा" in text and people.booth1_rep.mobile in text and "'=HYPERLINK(1)" in text
    log_in(client, cast.viewer, language="hi")
    text = client.get(reverse("training:camp_export", args=[camp.pk])).content.decode("utf-8-sig")
    assert "सीमा शर्मा" in text and people.booth1_rep.mobile not in text
    log_in(client, cast.sibling_admin, language="hi")
    assert client.get(reverse("training:camp_export", args=[camp.pk])).status_code == 404


def test_list_filtered_by_unit(client, cast, camp, other_block_camp, tree):
    log_in(client, cast.district_admin, language="hi")
    html = client.get(reverse("training:camps") + f"?week=2026-12-07&unit={tree.amer.pk}").content.decode()
    assert reverse("training:camp", args=[camp.pk]) in html
    assert reverse("training:camp", args=[other_block_camp.pk]) not in html
    log_in(client, cast.sibling_admin, language="hi")
    assert client.get(reverse("training:camps") + f"?unit={tree.amer.pk}").status_code == 404
