"""A corpus of bad input against every public form and every import, and formula injection into the exports.

For each: a clear message (a form error on the page, or a 4xx page), never a 500; nothing stored that should
not be (row counts); and what is stored is clean (no markup, a normalised mobile). Every export opens with no
cell that a spreadsheet would run as a formula.
"""

import contextlib
import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sangathan.channels.models import Channel, ChannelImport
from sangathan.org.models import Person, Unit
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.recruitment.models import Application, Submission
from tests.security.inputs import (
    BAD_MOBILES,
    CORPUS,
    FORMULA_START,
    MOBILE,
    assert_clean_text,
    assert_no_raw_markup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


# ---------------------------------------------------------------- the application form /a/<slug>/


def _post_data(campaign, tree, **overrides):
    from sangathan.recruitment.tests.test_public import post_data

    return post_data(campaign, tree, **overrides)


APPLICATION_FIELDS = ("name_hi", "name_en", "email", "age", "occupation", "statement", "writing_sample")
APPLICATION_FIELDS += ("social-0-handle", "social-0-followers", "booth_q", "booth", "applied_for", "other_languages")


FREE_TEXT = ("occupation", "statement", "writing_sample", "other_languages")


def _stored_applications_are_clean(where: str, fields=("name_hi", "name_en", "email")) -> None:
    for application in Application.objects.all():
        assert MOBILE.match(application.mobile), f"{where}: mobile stored as {application.mobile!r}"
        for name in fields:
            value = str(getattr(application, name, "") or "")
            assert "<script" not in value.lower() and not re.search(r"<[a-zA-Z/!]", value), f"{where}: {value!r}"
            if name not in FREE_TEXT:
                assert_clean_text(value, f"{where} ({name})")


@pytest.mark.slow
@pytest.mark.parametrize("field", APPLICATION_FIELDS)
def test_application_form_field_corpus(client, campaign, tree, field):
    url = reverse("apply:form", args=[campaign.slug])
    for label, value in CORPUS.items():
        cache.clear()
        before = (Application.objects.count(), Submission.objects.count())
        response = client.post(url, _post_data(campaign, tree, **{field: value}))
        where = f"/a/ {field}={label}"
        assert response.status_code in (200, 400, 413), f"{where}: answered {response.status_code}"
        html = response.content.decode()
        assert_no_raw_markup(html, value, where)
        after = (Application.objects.count(), Submission.objects.count())
        if after == before:
            assert "error" in html, f"{where}: refused without saying why"
        _stored_applications_are_clean(where, ("name_hi", "name_en", "email", *FREE_TEXT))
        Application.objects.all().delete()
        Submission.objects.all().delete()


def _typed_digits(value: str) -> str:
    return "".join(str(int(ch)) for ch in value if ch.isdecimal())


@pytest.mark.parametrize("label", list(BAD_MOBILES))
def test_application_form_refuses_malformed_mobiles(client, campaign, tree, label):
    """Refused with a message, or (when the digits typed are a mobile) stored as exactly those digits."""
    url = reverse("apply:form", args=[campaign.slug])
    value = BAD_MOBILES[label]
    response = client.post(url, _post_data(campaign, tree, mobile=value))
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    assert_no_raw_markup(html, value, label)
    stored = list(Application.objects.values_list("mobile", flat=True))
    if stored:
        assert stored == ["+91" + _typed_digits(value)[-10:]], f"{label}: {value!r} stored as {stored}"
    else:
        assert not Submission.objects.exists() and "error" in html, label


def test_letters_in_a_mobile_are_refused(client, campaign, tree):
    url = reverse("apply:form", args=[campaign.slug])
    client.post(url, _post_data(campaign, tree, mobile="98290abcde"))
    assert not Application.objects.exists()


def test_free_text_drops_invisible_characters(client, campaign, tree):
    url = reverse("apply:form", args=[campaign.slug])
    client.post(url, _post_data(campaign, tree, statement=CORPUS["zero_width"]))
    for application in Application.objects.all():
        assert_clean_text(application.statement, "statement")


def test_application_form_takes_devanagari_digits_as_a_mobile(client, campaign, tree):
    url = reverse("apply:form", args=[campaign.slug])
    response = client.post(url, _post_data(campaign, tree, mobile="९८२९० ५५५५५"))
    assert response.status_code == 200
    application = Application.objects.get()
    assert application.mobile == "+919829055555"


def test_application_form_garbage_structure(client, campaign, tree):
    """Missing everything, repeated keys, a huge management form: a form error, never a 500."""
    url = reverse("apply:form", args=[campaign.slug])
    for data in (
        {},
        {"token": "x" * 10_000},
        _post_data(campaign, tree, **{"social-TOTAL_FORMS": "100000"}),
        _post_data(campaign, tree, **{"social-TOTAL_FORMS": "-1"}),
        _post_data(campaign, tree, **{"social-TOTAL_FORMS": "abc"}),
        _post_data(campaign, tree, languages=["xx", "<script>"]),
        _post_data(campaign, tree, booth="99999999999999999999"),
        _post_data(campaign, tree, booth=str(tree.ajmer_booth.pk)),  # a booth of another district
    ):
        cache.clear()
        response = client.post(url, data)
        assert response.status_code in (200, 400, 413), (list(data)[:3], response.status_code)
    assert (
        not Application.objects.filter(home_unit=tree.ajmer_booth, campaign=campaign)
        .exclude(home_unit__path__startswith=campaign.scope_unit.path)
        .exists()
    )


# ---------------------------------------------------------------- the status page /a/status/


def test_status_page_corpus(client, campaign, tree, submit):
    application, _ = submit(mobile="98290 44444")
    url = reverse("apply:status")
    values = {**CORPUS, **BAD_MOBILES}
    for label, value in values.items():
        for data in (
            {"reference": value, "mobile": "98290 44444"},
            {"reference": application.reference, "mobile": value},
        ):
            cache.clear()
            response = client.post(url, data)
            where = f"/a/status/ {label} {list(data)}"
            assert response.status_code in (200, 400, 404, 429), f"{where}: answered {response.status_code}"
            html = response.content.decode()
            assert_no_raw_markup(html, value, where)
            assert "सीमा मीणा" not in html, f"{where}: shows the applicant"
        cache.clear()
        response = client.get(url, {"reference": value, "mobile": value})
        assert response.status_code in (200, 400, 404, 405, 429), label
    # The second step: the code and the signed note of what was asked.
    cache.clear()
    first = client.post(url, {"step": "lookup", "reference": application.reference, "mobile": "98290 44444"})
    pending = re.search(r'name="pending" value="([^"]+)"', first.content.decode()).group(1)
    for label, value in CORPUS.items():
        for data in ({"step": "code", "pending": pending, "code": value}, {"step": value, "pending": value}):
            cache.clear()
            response = client.post(url, data)
            where = f"/a/status/ code {label} {list(data)}"
            assert response.status_code in (200, 400, 429), f"{where}: answered {response.status_code}"
            html = response.content.decode()
            assert_no_raw_markup(html, value, where)
            assert "सीमा मीणा" not in html, f"{where}: shows the applicant"
    assert Application.objects.get(pk=application.pk).name_hi == "सीमा मीणा"


# ---------------------------------------------------------------- the training check-in /t/<token>/


@pytest.fixture
def open_camp(tree, cast):
    from sangathan.training import services
    from sangathan.training.models import Module, Programme
    from sangathan.training.template import load_default_programme

    programme = load_default_programme(Programme, Module)
    now = timezone.now()
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="ब्लॉक कार्यालय, आमेर",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=4),
        allow_walk_ins=True,
        by=cast.district_admin,
    )
    return camp


def test_check_in_corpus(client, open_camp):
    """The QR page's two forms: check in (mobile + personal code) and ask to join (name + mobile)."""
    from sangathan.training.models import Attendance, WalkInRequest

    url = reverse("training_public:check_in", args=[open_camp.check_in_token])
    join = reverse("training_public:walk_in", args=[open_camp.check_in_token])
    values = {f"mobile_{k}": ("mobile", v) for k, v in BAD_MOBILES.items()}
    values.update({f"name_{k}": ("name", v) for k, v in CORPUS.items()})
    values.update({f"code_{k}": ("code", v) for k, v in CORPUS.items()})
    for label, (field, value) in values.items():
        for page, data in (
            (url, {"mobile": "98290 33333", "code": "ABC234"}),
            (join, {"join-mobile": "98290 33333", "join-name": "रमेश मीणा"}),
        ):
            cache.clear()
            key = field if page == url else f"join-{field}"
            if key not in data:
                continue
            data = {**data, key: value}
            response = client.post(page, data)
            where = f"{page} {label}"
            assert response.status_code in (200, 302, 400, 413, 429), f"{where}: answered {response.status_code}"
            assert_no_raw_markup(response.content.decode(), value, where)
            assert not Attendance.objects.exists(), f"{where}: checked somebody in"
            for request in WalkInRequest.objects.all():
                assert MOBILE.match(request.mobile), f"{where}: mobile stored as {request.mobile!r}"
                assert_clean_text(request.name, where)
            WalkInRequest.objects.all().delete()
    assert client.post(reverse("training_public:check_in", args=["<script>"]), {}).status_code == 404
    assert client.post(reverse("training_public:check_in", args=["x" * 5000]), {}).status_code == 404
    assert client.post(reverse("training_public:walk_in", args=["<script>"]), {}).status_code == 404


# ---------------------------------------------------------------- the outreach recipient page /m/<token>/


@pytest.fixture
def delivery(tree, cast):
    from sangathan.org import services as org_services
    from sangathan.org.models import Level
    from sangathan.outreach import services
    from sangathan.outreach.models import Delivery

    person = PersonFactory(home_unit=tree.booth1)
    org_services.appointment_create(unit=tree.booth1, position=position("booth", "representative"), person=person)
    message = services.message_create(
        unit=tree.amer,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="बूथ बैठक",
        body_hi="रविवार को बूथ बैठक है।",
        text_whatsapp="रविवार बैठक!",
    )
    if services.four_eyes_required(message.unit):
        services.message_submit(message=message, by=cast.district_admin)
        services.message_approve(message=message, by=cast.state_admin)
    services.message_send(message=message, by=cast.district_admin, queue=False)
    services.message_run_inline(message=message)
    return Delivery.objects.filter(message=message, unit=tree.booth1).get()


@pytest.mark.slow
def test_outreach_answer_corpus(client, delivery):
    from sangathan.outreach.models import Delivery
    from sangathan.outreach.services import delivery_token

    url = reverse("outreach_public:open", args=[delivery_token(delivery.pk)])
    actions = ("open", "received", "shared", "cannot", "acknowledge", "", "<script>", "x" * 5000)
    fields = ("share_url", "note", "reason")
    for action in actions:
        for field in fields:
            corpus = {**CORPUS, "js_url": "javascript:alert(1)", "data_url": "data:text/html,<b>x"}
            corpus.pop("nul")  # see test_outreach_answer_with_a_nul_character
            for label, value in corpus.items():
                cache.clear()
                response = client.post(url, {"action": action, field: value})
                where = f"/m/ action={action[:20]!r} {field}={label}"
                assert response.status_code in (200, 302, 303, 400, 404, 410, 413, 429), (
                    f"{where}: answered {response.status_code}"
                )
    stored = Delivery.objects.get(pk=delivery.pk)
    share_url = getattr(stored, "share_url", "") or ""
    assert share_url == "" or share_url.startswith(("https://", "http://")), f"stored share link {share_url!r}"
    page = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in page and "javascript:alert" not in page
    for bad in ("<script>", "x" * 600, "not-a-token"):
        assert client.post(reverse("outreach_public:open", args=[bad]), {"action": "acknowledge"}).status_code in (
            404,
            410,
        )


def test_outreach_answer_with_a_nul_character(client, delivery):
    from sangathan.outreach.services import delivery_token

    url = reverse("outreach_public:open", args=[delivery_token(delivery.pk)])
    for field in ("note", "reason", "share_url"):
        response = client.post(url, {"action": "cannot" if field == "reason" else "shared", field: "a\x00b"})
        assert response.status_code < 500, field


# ---------------------------------------------------------------- imports: org units and channels

XLSX_MAGIC = b"PK\x03\x04"


def _bad_files():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    return {
        "fake_xlsx": ("units.xlsx", b"<html><body><table><tr><td>state</td></tr></table></body></html>"),
        "zip_not_xlsx": ("units.xlsx", XLSX_MAGIC + b"\x00" * 200),
        "binary_csv": ("units.csv", bytes(range(256)) * 40),
        "png_as_csv": ("units.csv", png),
        "empty": ("units.csv", b""),
        "only_bom": ("units.csv", "\ufeff".encode()),
        "utf16_csv": ("units.csv", "state,district\nRajasthan,Kota\n".encode("utf-16")),
        "no_header": ("units.csv", b"\n\n\n"),
        "huge_line": ("units.csv", b"state,district\n" + b"A" * 2_000_000 + b"\n"),
        "many_columns": ("units.csv", (",".join(f"c{i}" for i in range(5000)) + "\n").encode()),
        "wrong_extension": ("units.exe", b"MZ\x90\x00"),
        "nested_quotes": ("units.csv", b'state,district\n"Raj""as"than,"unterminated\n'),
    }


def _upload(client, url, name, content, **fields):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url, {"file": file, **fields})


@pytest.mark.slow
def test_unit_import_bad_files(client, cast, tree, settings, django_capture_on_commit_callbacks):
    from sangathan.core.tests.test_spreadsheets import bomb

    settings.UNIT_IMPORT_MAX_BYTES = 1_000_000
    client.force_login(cast.state_admin)
    units = Unit.objects.count()
    files = _bad_files()
    files["too_big"] = ("units.csv", b"state,district\n" + b"Rajasthan,Kota\n" * 100_000)
    files["zip_bomb"] = ("units.xlsx", bomb())
    for label, (name, content) in files.items():
        with django_capture_on_commit_callbacks(execute=True):  # the worker checks the file on commit
            response = _upload(client, reverse("org_import:upload"), name, content, root=tree.rajasthan.pk)
        assert response.status_code in (200, 302, 400, 413), f"{label}: upload answered {response.status_code}"
        if response.status_code == 302:
            preview = client.get(reverse("org_import:preview"))
            assert preview.status_code in (200, 400), f"{label}: preview answered {preview.status_code}"
            body = preview.content.decode()
            assert "hx-trigger" not in body, f"{label}: the file was not checked"
            assert reverse("org_import:confirm") not in body, f"{label}: a bad file is offered for import"
            confirm = client.post(reverse("org_import:confirm"), {"job": client.session.get("unit_import", "")})
            assert confirm.status_code < 500, label
        else:
            assert "error" in response.content.decode(), f"{label}: refused without saying why"
        assert Unit.objects.count() == units, f"{label}: units were added"


def _import_odd_units(client, cast, tree, django_capture_on_commit_callbacks):
    client.force_login(cast.state_admin)
    rows = [["state", "district", "ac_no", "ac_name", "block", "mandal", "booth_no", "booth_name", "polling_station"]]
    rows += [
        ["Rajasthan", "Jaipur", "45", "Jaipur North", "Amer", "", "3", '=HYPERLINK("http://x","y")', "+cmd"],
        ["Rajasthan", "Jaipur", "45", "Jaipur North", "Amer", "", "4", "<script>alert(1)</script>", "-1+1"],
        ["Rajasthan", "Jaipur", "45", "Jaipur North", "Amer", "", "5", "@SUM(A1:A2)", "आ\u200bमेर"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(
            client, reverse("org_import:upload"), "units.csv", buffer.getvalue().encode(), root=tree.rajasthan.pk
        )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        preview = client.get(reverse("org_import:preview"))
        assert preview.status_code == 200
        assert "<script>alert(1)</script>" not in preview.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("org_import:confirm"), {"job": client.session.get("unit_import", "")})


def test_unit_import_formula_and_markup_names(client, cast, tree, django_capture_on_commit_callbacks):
    """Names that look like formulas or markup: never a 500, the preview shows them escaped."""
    _import_odd_units(client, cast, tree, django_capture_on_commit_callbacks)
    amer = client.get(reverse("org:unit", args=[tree.amer.pk])).content.decode()
    assert "<script>alert(1)</script>" not in amer


def test_unit_import_refuses_markup_in_names(client, cast, tree, django_capture_on_commit_callbacks):
    _import_odd_units(client, cast, tree, django_capture_on_commit_callbacks)
    for unit in Unit.objects.filter(parent=tree.amer):
        assert "<script" not in unit.name_hi + unit.name_en + unit.polling_station, unit.name_en


@pytest.mark.slow
def test_channel_import_bad_files(client, cast, tree, monkeypatch, django_capture_on_commit_callbacks):
    from sangathan.channels import views as channel_views
    from sangathan.core.tests.test_spreadsheets import bomb

    monkeypatch.setattr(channel_views, "UPLOAD_MAX_BYTES", 1_000_000)
    client.force_login(cast.district_admin)
    url = reverse("channels:import", args=[tree.jaipur.pk])
    channels = Channel.objects.count()
    files = _bad_files()
    files["too_big"] = ("channels.csv", b"a,b\n" + b"x,y\n" * 400_000)
    files["zip_bomb"] = ("channels.xlsx", bomb())
    for label, (name, content) in files.items():
        with django_capture_on_commit_callbacks(execute=True):  # the worker checks the file on commit
            response = _upload(client, url, name.replace("units", "channels"), content)
        assert response.status_code in (200, 302, 400, 413), f"{label}: upload answered {response.status_code}"
        if response.status_code == 302:
            preview_url = response["Location"]
            preview = client.get(preview_url)
            assert preview.status_code in (200, 400), f"{label}: preview answered {preview.status_code}"
            assert ChannelImport.objects.get(pk=preview_url.rstrip("/").rsplit("/", 1)[1]).status == "checked", label
            with django_capture_on_commit_callbacks(execute=True):
                confirm = client.post(preview_url)
            assert confirm.status_code in (200, 302, 400), f"{label}: confirm answered {confirm.status_code}"
        else:
            assert "error" in response.content.decode(), f"{label}: refused without saying why"
        assert Channel.objects.count() == channels, f"{label}: channels were added"
    assert not ChannelImport.objects.filter(status=ChannelImport.Status.IMPORTED).exists()


def test_channel_import_formula_and_markup_names(client, cast, tree, django_capture_on_commit_callbacks):
    client.force_login(cast.district_admin)
    url = reverse("channels:import", args=[tree.jaipur.pk])
    rows = [
        ["unit id", "platform", "name", "link", "broadcast number"],
        [tree.booth1.pk, "broadcast", '=HYPERLINK("http://x","y")', "", "=9829012345"],
        [tree.booth1.pk, "broadcast", "<script>alert(1)</script>", "", "+cmd"],
        [tree.booth1.pk, "whatsapp group", "@SUM(A1:A2)", "javascript:alert(1)", "-1+1"],
        [tree.booth2.pk, "broadcast", "-1+1", "", "98290 12345"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, url, "channels.csv", buffer.getvalue().encode())
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        preview = client.get(response["Location"])
        assert preview.status_code == 200
        assert "<script>alert(1)</script>" not in preview.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(response["Location"])
    for channel in Channel.objects.all():
        assert "<script" not in channel.name and not channel.link.startswith("javascript:"), channel.name
        assert channel.owner_mobile == "" or MOBILE.match(channel.owner_mobile), channel.owner_mobile


# ---------------------------------------------------------------- exports: no cell runs as a formula

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def _cells_of(response) -> list[str]:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body))
        return [
            cell.value
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) or cell.data_type == "f"
        ]
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(cells, where: str) -> None:
    live = [cell for cell in cells if isinstance(cell, str) and cell.startswith(FORMULA_START)]
    # Negative numbers as numbers are fine ("-5"); anything else starting so is a formula to a spreadsheet.
    live = [cell for cell in live if not re.fullmatch(r"-\d+(\.\d+)?", cell)]
    assert not live, f"{where}: cells a spreadsheet would run: {live[:5]}"


def test_recruitment_exports_neutralise_formulas(client, cast, campaign, tree):
    from sangathan.recruitment import services
    from sangathan.recruitment.tests.conftest import form_data

    for i, value in enumerate(FORMULAS):
        services.application_submit(
            campaign=campaign,
            token=f"formula-{i}",
            data=form_data(
                campaign,
                tree,
                mobile=f"98290 6000{i}",
                name_en=value,
                name_hi=value,
                occupation=value,
                education=value,
                statement=value,
                writing_sample=value,
                social_accounts=[{"platform": "x", "handle": value, "followers": 5}],
            ),
        )
    client.force_login(cast.state_admin)
    for name in ("recruitment:export_csv", "recruitment:export_xlsx"):
        response = client.get(reverse(name, args=[campaign.slug]))
        assert response.status_code == 200
        cells = _cells_of(response)
        assert any("HYPERLINK" in str(cell) for cell in cells), f"{name}: the rows are not in the export"
        assert_no_formula(cells, name)


def test_camp_attendance_export_neutralises_formulas(client, cast, tree, open_camp):
    from sangathan.training import services

    for value in FORMULAS:
        person = PersonFactory(name_en=value, name_hi=value, home_unit=tree.booth1)
        with contextlib.suppress(services.TrainingError):
            services.attendance_add_walk_in(camp=open_camp, mobile=person.mobile, by=cast.district_admin)
    client.force_login(cast.district_admin)
    response = client.get(reverse("training:camp_export", args=[open_camp.pk]))
    assert response.status_code == 200
    cells = _cells_of(response)
    assert any("HYPERLINK" in cell for cell in cells), "the attendance is not in the export"
    assert_no_formula(cells, "attendance.csv")


def test_outreach_report_neutralises_formulas(client, cast, tree, delivery):
    """The in-charge's name, the booth's name and the answer's note as formulas: all are in the report."""
    from sangathan.outreach import services

    Person.objects.filter(appointments__unit=tree.booth1).update(name_en=FORMULAS[0], name_hi=FORMULAS[1])
    Unit.objects.filter(pk=tree.booth1.pk).update(name_en=FORMULAS[2], name_hi=FORMULAS[3])
    services.delivery_respond(
        delivery_id=delivery.pk, action=services.Action.SHARED, share_url="https://x.com/a/1", note=FORMULAS[4]
    )
    client.force_login(cast.district_admin)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("outreach:report", args=[delivery.message_id, fmt]))
        assert response.status_code == 200, fmt
        cells = _cells_of(response)
        assert any("SUM(A1:A2)" in str(cell) or "HYPERLINK" in str(cell) for cell in cells), f"report.{fmt}: no rows"
        assert_no_formula(cells, f"report.{fmt}")


def test_a_second_client_sees_no_markup_from_stored_input(cast, campaign, tree, submit):
    """Stored text typed by an applicant shows escaped on the staff pages."""
    application, _ = submit(statement="<script>alert(1)</script>", occupation='"><img src=x onerror=alert(1)>')
    staff = Client()
    staff.force_login(cast.state_admin)
    html = staff.get(reverse("recruitment:application", args=[application.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html
