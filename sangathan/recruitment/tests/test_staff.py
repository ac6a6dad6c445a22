"""Staff pages: campaigns, sub-campaigns, the dashboard, the review queue, one application, screening and
exports — each with its happy path, the sibling district's admin (404, never in lists or numbers), the
viewer (403 on writes, nothing changed) and bad input (a message, never a 500)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sangathan.org.tests.factories import position
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, ApplicationEvent, Campaign, CampaignPosition
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import window
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- campaigns


def test_anonymous_is_sent_to_login(client, campaign):
    response = client.get(reverse("recruitment:campaigns"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_campaign_list_shows_what_the_user_can_see(client, cast, campaign, rubric, tree):
    jaipur_sub = services.campaign_create(
        scope_unit=tree.jaipur,
        parent=campaign,
        title_hi="जयपुर अभियान",
        title_en="Jaipur drive",
        slug="rj-jaipur",
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        rubric=rubric,
        positions=[(position("booth", "representative"), 10)],
        reference_prefix="RJ-JP",
        notice_hi="सूचना",
        notice_en="Notice",
    )
    page = html(log_in(client, cast.district_admin).get(reverse("recruitment:campaigns")))
    assert campaign.title_en in page and jaipur_sub.title_en in page
    page = html(log_in(client, cast.sibling_admin).get(reverse("recruitment:campaigns")))
    assert campaign.title_en in page and jaipur_sub.title_en not in page
    assert (
        log_in(client, cast.sibling_admin).get(reverse("recruitment:dashboard", args=["rj-jaipur"])).status_code == 404
    )
    page = html(log_in(client, cast.outsider).get(reverse("recruitment:campaigns")))
    assert campaign.title_en not in page


def campaign_post(tree, the_rubric, **overrides):
    opens, closes = window()
    rep, in_charge = position("booth", "representative"), position("district", "in_charge")
    data = {
        "unit": tree.rajasthan.pk,
        "title_hi": "संगठन सृजन अभियान 2",
        "title_en": "Second drive",
        "slug": "rj-second",
        "opens_at": opens,
        "closes_at": closes,
        "rubric": the_rubric.pk,
        "reference_prefix": "rj-2",
        "notice_hi": "सूचना",
        "notice_en": "Notice",
        f"p{rep.pk}-include": "on",
        f"p{rep.pk}-target": "50",
        f"p{in_charge.pk}-include": "on",
    }
    data.update(overrides)
    return data


def test_state_admin_creates_a_campaign(client, cast, tree, rubric):
    log_in(client, cast.state_admin)
    assert client.get(reverse("recruitment:campaign_new")).status_code == 200
    response = client.post(reverse("recruitment:campaign_new"), campaign_post(tree, rubric))
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="rj-second")
    assert response["Location"] == reverse("recruitment:dashboard", args=["rj-second"])
    assert campaign.scope_unit == tree.rajasthan and campaign.reference_prefix == "RJ-2"
    assert campaign.created_by == cast.state_admin
    targets = dict(campaign.positions.values_list("position__code", "target"))
    assert targets == {"representative": 50, "in_charge": None}
    # The window was read as India time.
    assert campaign.opens_at.utcoffset().total_seconds() == 0  # stored in UTC
    assert campaign.closes_at > campaign.opens_at


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "new"),  # reserved
        ("slug", "rj 2026!"),
        ("slug", "rj-2026"),  # taken (the fixture campaign)
        ("title_hi", ""),
        ("title_hi", "क" * 201),
        ("opens_at", "garbage"),
        ("closes_at", "2020-01-01T10:00"),  # before opening
        ("reference_prefix", "RJ/2026"),
        ("unit", "999999"),
        ("unit", "abc"),
        ("rubric", "abc"),
    ],
)
def test_bad_campaign_input_changes_nothing(client, cast, tree, rubric, campaign, field, value):
    before = Campaign.objects.count()
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:campaign_new"), campaign_post(tree, rubric, **{field: value})
    )
    assert response.status_code == 200
    assert 'class="error"' in html(response) or 'class="errors"' in html(response)
    assert Campaign.objects.count() == before


def test_campaign_without_posts_or_with_a_post_above_the_unit_is_refused(client, cast, tree, rubric):
    log_in(client, cast.state_admin)
    data = campaign_post(tree, rubric)
    data = {k: v for k, v in data.items() if not k.startswith("p")}
    response = client.post(reverse("recruitment:campaign_new"), data)
    assert response.status_code == 200 and "Choose at least one post" in html(response)
    state_post = position("state", "secretary")
    data = campaign_post(tree, rubric, unit=str(tree.jaipur.pk), **{f"p{state_post.pk}-include": "on"})
    response = client.post(reverse("recruitment:campaign_new"), data)
    assert response.status_code == 200 and "above this unit" in html(response)
    assert not Campaign.objects.exists()


def test_district_admin_creates_a_sub_campaign_for_their_district_only(client, cast, tree, rubric, campaign):
    log_in(client, cast.district_admin)
    url = reverse("recruitment:campaign_new") + f"?parent={campaign.slug}"
    page = html(client.get(url))
    assert "Jaipur" in page and "Ajmer" not in page
    # The parent's posts come ticked (its targets are for the whole state, so they are not copied).
    rep = position("booth", "representative")
    assert f'name="p{rep.pk}-include" id="id_p{rep.pk}-include" checked' in page
    assert 'value="100"' not in page
    response = client.post(
        url, campaign_post(tree, rubric, unit=str(tree.jaipur.pk), slug="rj-jp", reference_prefix="JP")
    )
    assert response.status_code == 302
    sub = Campaign.objects.get(slug="rj-jp")
    assert sub.parent == campaign and sub.scope_unit == tree.jaipur
    # Not for the sibling district, and not a campaign of their own.
    response = client.post(url, campaign_post(tree, rubric, unit=str(tree.ajmer.pk), slug="rj-aj"))
    assert response.status_code == 200 and not Campaign.objects.filter(slug="rj-aj").exists()
    response = client.post(
        reverse("recruitment:campaign_new"), campaign_post(tree, rubric, unit=str(tree.jaipur.pk), slug="rj-own")
    )
    assert response.status_code == 200 and "sub-campaign" in html(response)
    assert not Campaign.objects.filter(slug="rj-own").exists()


def test_sub_campaign_of_an_invisible_campaign_is_404_and_viewer_is_403(client, cast, tree, rubric, campaign):
    ajmer_sub = services.campaign_create(
        scope_unit=tree.ajmer,
        parent=campaign,
        title_hi="अजमेर",
        title_en="Ajmer",
        slug="rj-ajmer",
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        rubric=rubric,
        positions=[(position("booth", "representative"), None)],
        reference_prefix="AJ",
        notice_hi="सूचना",
        notice_en="Notice",
    )
    url = reverse("recruitment:campaign_new") + f"?parent={ajmer_sub.slug}"
    assert log_in(client, cast.district_admin).get(url).status_code == 404
    before = Campaign.objects.count()
    log_in(client, cast.viewer)
    assert client.get(reverse("recruitment:campaign_new")).status_code == 403
    response = client.post(reverse("recruitment:campaign_new"), campaign_post(tree, rubric, unit=str(tree.jaipur.pk)))
    assert response.status_code == 403
    assert Campaign.objects.count() == before


# ---------------------------------------------------------------- dashboard


def test_dashboard_numbers_for_the_state_admin(client, cast, campaign, jaipur_app, ajmer_app):
    services.application_screen(application=jaipur_app, shortlist=True)
    response = log_in(client, cast.state_admin).get(reverse("recruitment:dashboard", args=[campaign.slug]))
    assert response.status_code == 200
    context = response.context
    assert [(code, count) for code, _l, count, _p in context["funnel"].stages] == [
        ("applied", 2),
        ("shortlisted", 1),
        ("interviewed", 0),
        ("selected", 0),
        ("appointed", 0),
    ]
    areas = {row.unit.name_en: (row.applied, row.shortlisted) for row in context["by_area"]}
    assert areas == {"Jaipur": (1, 1), "Ajmer": (1, 0)}
    assert sum(d.count for d in context["per_day"]) == 2
    seats = {row.post.position.code: (row.applied, row.seats_total, row.filled) for row in context["seats"]}
    assert seats["representative"] == (2, 3, 0)  # three booths in Rajasthan, none filled
    assert seats["in_charge"] == (0, 2, 0)  # two districts
    page = html(response)
    assert 'class="daychart"' in page and 'class="fill' in page


def test_dashboard_shows_a_district_admin_only_their_district(client, cast, campaign, jaipur_app, ajmer_app):
    response = log_in(client, cast.sibling_admin).get(reverse("recruitment:dashboard", args=[campaign.slug]))
    assert response.status_code == 200
    context = response.context
    assert context["funnel"].applied == 1
    assert sum(d.count for d in context["per_day"]) == 1
    # Per assembly constituency of Ajmer: Jaipur's never appear.
    assert [row.unit.name_en for row in context["by_area"]] == ["Ajmer South"]
    seats = {row.post.position.code: (row.applied, row.seats_total) for row in context["seats"]}
    assert seats["representative"] == (1, 1)  # the one booth of Ajmer
    assert seats["in_charge"] == (0, 1)  # Ajmer's own in-charge seat
    page = html(response)
    assert "Jaipur" not in page and jaipur_app.name_en not in page


def test_dashboard_of_a_missing_campaign_is_404(client, cast):
    assert log_in(client, cast.state_admin).get(reverse("recruitment:dashboard", args=["nope"])).status_code == 404


def test_dashboard_shows_sub_campaign_progress_in_scope(client, cast, tree, rubric, campaign):
    for unit, slug in ((tree.jaipur, "rj-jp"), (tree.ajmer, "rj-aj")):
        services.campaign_create(
            scope_unit=unit,
            parent=campaign,
            title_hi=unit.name_hi,
            title_en=unit.name_en,
            slug=slug,
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
            rubric=rubric,
            positions=[(position("booth", "representative"), 5)],
            reference_prefix=slug.upper(),
            notice_hi="सूचना",
            notice_en="Notice",
        )
    response = log_in(client, cast.state_admin).get(reverse("recruitment:dashboard", args=[campaign.slug]))
    assert sorted(row.campaign.slug for row in response.context["subs"]) == ["rj-aj", "rj-jp"]
    assert all(row.target == 5 for row in response.context["subs"])
    response = log_in(client, cast.district_admin).get(reverse("recruitment:dashboard", args=[campaign.slug]))
    assert [row.campaign.slug for row in response.context["subs"]] == ["rj-jp"]


def test_dashboard_query_count_is_small(client, cast, campaign, submit, tree, django_assert_max_num_queries):
    for i in range(20):
        submit(mobile=f"98291{i:05d}", home_unit=tree.booth1 if i % 2 else tree.ajmer_booth)
    log_in(client, cast.state_admin)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("recruitment:dashboard", args=[campaign.slug])).status_code == 200


# ---------------------------------------------------------------- the review queue


def test_queue_lists_applications_in_scope(client, cast, campaign, jaipur_app, ajmer_app):
    url = reverse("recruitment:queue", args=[campaign.slug])
    page = html(log_in(client, cast.state_admin).get(url))
    assert jaipur_app.reference in page and ajmer_app.reference in page
    page = html(log_in(client, cast.district_admin).get(url))
    assert jaipur_app.reference in page and ajmer_app.reference not in page
    page = html(log_in(client, cast.sibling_admin).get(url))
    assert ajmer_app.reference in page and jaipur_app.reference not in page
    assert jaipur_app.name_en not in page
    page = html(log_in(client, cast.outsider).get(url))
    assert log_in(client, cast.outsider).get(url).status_code == 404


def test_queue_filters_and_sorts(client, cast, campaign, submit, tree):
    district = campaign.positions.get(position__code="in_charge")
    a, _ = submit(mobile="9829000001", social_accounts=[{"platform": "x", "handle": "@a", "followers": 10}])
    b, _ = submit(
        mobile="9829000002",
        home_unit=tree.ajmer_booth,
        applied_for=district,
        social_accounts=[{"platform": "facebook", "handle": "fb.com/x", "followers": 5000}],
    )
    c, _ = submit(mobile="9829000003", social_accounts=[{"platform": "instagram", "handle": '"platform": "x"'}])
    Application.objects.filter(pk=a.pk).update(score=80)
    Application.objects.filter(pk=b.pk).update(score=60)
    log_in(client, cast.state_admin)
    url = reverse("recruitment:queue", args=[campaign.slug])

    def refs(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [row.reference for row in response.context["rows"]]

    assert refs() == [c.reference, b.reference, a.reference]
    assert refs(unit=tree.ajmer.pk) == [b.reference]
    assert refs(unit=tree.jaipur_ac.pk) == [c.reference, a.reference]
    assert refs(post=district.pk) == [b.reference]
    assert refs(status="submitted", min_score="70") == [a.reference]
    assert refs(platform="x") == [a.reference]  # not c, whose handle only looks like it
    assert refs(platform="facebook") == [b.reference]
    assert refs(min_followers="1000") == [b.reference]
    assert refs(sort="score") == [a.reference, b.reference, c.reference]
    assert refs(sort="followers") == [b.reference, a.reference, c.reference]
    # Gender and age band: only applicants who gave a gender match one.
    Application.objects.filter(pk=a.pk).update(gender="female", age=24)
    Application.objects.filter(pk=b.pk).update(gender="male", age=40)
    Application.objects.filter(pk=c.pk).update(gender="", age=35)
    assert refs(gender="female") == [a.reference]
    assert refs(age_band="26_35") == [c.reference]
    assert refs(age_band="36_45", gender="male") == [b.reference]
    assert refs(age_band="18_25", gender="male") == []


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"min_score": "abc"},
        {"min_score": "101"},
        {"min_followers": "-5"},
        {"unit": "abc"},
        {"unit": "99999999"},
        {"post": "abc"},
        {"status": "nonsense"},
        {"platform": "myspace"},
        {"sort": "random"},
        {"gender": "robot"},
        {"age_band": "1_2"},
        {"unit": "1" * 40},
    ],
)
def test_queue_bad_filters_give_a_message_not_a_500(client, cast, campaign, jaipur_app, params):
    response = log_in(client, cast.state_admin).get(reverse("recruitment:queue", args=[campaign.slug]), params)
    assert response.status_code == 200
    if "page" not in params:
        assert 'class="error"' in html(response)
    assert jaipur_app.reference in html(response)


def test_queue_filter_by_a_unit_of_another_district_shows_nothing(client, cast, campaign, jaipur_app, tree):
    response = log_in(client, cast.sibling_admin).get(
        reverse("recruitment:queue", args=[campaign.slug]), {"unit": tree.jaipur.pk}
    )
    assert response.status_code == 200
    assert jaipur_app.reference not in html(response)


def test_queue_query_count_does_not_grow_with_rows(client, cast, campaign, submit, tree, django_assert_max_num_queries):
    log_in(client, cast.state_admin)
    url = reverse("recruitment:queue", args=[campaign.slug])
    submit(mobile="9829100000")
    with django_assert_max_num_queries(12):
        client.get(url)
    for i in range(1, 60):
        submit(mobile=f"98291{i:05d}", home_unit=tree.booth1 if i % 2 else tree.ajmer_booth)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"sort": "score", "unit": tree.rajasthan.pk})
    assert len(response.context["rows"]) == 50
    with django_assert_max_num_queries(12):
        client.get(url, {"page": "2"})


def test_queue_htmx_returns_the_results_only(client, cast, campaign, jaipur_app):
    response = log_in(client, cast.state_admin).get(
        reverse("recruitment:queue", args=[campaign.slug]), {"sort": "score"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in html(response) and jaipur_app.reference in html(response)


# ---------------------------------------------------------------- bulk screening


def test_bulk_shortlist_and_reject(client, cast, campaign, jaipur_app, ajmer_app):
    log_in(client, cast.state_admin)
    url = reverse("recruitment:screen_bulk", args=[campaign.slug])
    response = client.post(url, {"ids": [jaipur_app.pk, ajmer_app.pk], "action": "shortlist"})
    assert response.status_code == 302
    assert set(Application.objects.values_list("status", flat=True)) == {"shortlisted"}
    response = client.post(url, {"ids": [jaipur_app.pk], "action": "reject", "reason": "Too few posts"}, follow=True)
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "rejected" and jaipur_app.decision_reason == "Too few posts"
    assert "1 rejected" in html(response)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "shortlist"},  # nothing ticked
        {"ids": ["abc"], "action": "shortlist"},
        {"ids": ["1" * 30], "action": "shortlist"},
        {"ids": ["JAIPUR"], "action": "reject"},  # no reason
        {"ids": ["JAIPUR"], "action": "reject", "reason": "x" * 501},
        {"ids": ["JAIPUR"], "action": "promote"},
    ],
)
def test_bulk_bad_input_changes_nothing(client, cast, campaign, jaipur_app, data):
    data = {
        k: [str(jaipur_app.pk) if v == "JAIPUR" else v for v in vs] if isinstance(vs, list) else vs
        for k, vs in data.items()
    }
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:screen_bulk", args=[campaign.slug]), data, follow=True
    )
    assert response.status_code == 200
    assert 'class="msg-error"' in html(response)
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "submitted"


def test_bulk_with_another_districts_id_is_404_and_changes_nothing(client, cast, campaign, jaipur_app, ajmer_app):
    response = log_in(client, cast.sibling_admin).post(
        reverse("recruitment:screen_bulk", args=[campaign.slug]),
        {"ids": [ajmer_app.pk, jaipur_app.pk], "action": "shortlist"},
    )
    assert response.status_code == 404
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}


def test_viewer_cannot_screen(client, cast, campaign, jaipur_app):
    log_in(client, cast.viewer)
    response = client.post(
        reverse("recruitment:screen_bulk", args=[campaign.slug]), {"ids": [jaipur_app.pk], "action": "shortlist"}
    )
    assert response.status_code == 403
    response = client.post(reverse("recruitment:screen", args=[jaipur_app.pk]), {"action": "shortlist"})
    assert response.status_code == 403
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "submitted"
    assert not ApplicationEvent.objects.filter(application=jaipur_app).exclude(kind="submitted").exists()
    # The viewer sees the queue, without checkboxes.
    page = html(client.get(reverse("recruitment:queue", args=[campaign.slug])))
    assert jaipur_app.reference in page and 'name="ids"' not in page


# ---------------------------------------------------------------- one application


def test_application_detail_shows_everything(client, cast, jaipur_app):
    response = log_in(client, cast.district_admin).get(reverse("recruitment:application", args=[jaipur_app.pk]))
    page = html(response)
    assert response.status_code == 200
    for text in ("Seema Meena", "@seema", "1,500", "हर बूथ हो मजबूत!", "+91 98•••••111", "Shortlist"):
        assert text in page
    assert jaipur_app.mobile not in page  # masked; one click reveals it (sangathan.audit)
    assert "applied" in page  # the history


def test_sibling_admin_gets_404_on_every_jaipur_page(client, cast, jaipur_app):
    log_in(client, cast.sibling_admin)
    assert client.get(reverse("recruitment:application", args=[jaipur_app.pk])).status_code == 404
    response = client.post(reverse("recruitment:screen", args=[jaipur_app.pk]), {"action": "shortlist"})
    assert response.status_code == 404
    response = client.post(reverse("recruitment:decide", args=[jaipur_app.pk]), {"decision": "select"})
    assert response.status_code == 404
    assert client.get(reverse("recruitment:letter", args=[jaipur_app.pk])).status_code == 404
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "submitted"


def test_missing_application_is_404(client, cast):
    assert log_in(client, cast.state_admin).get(reverse("recruitment:application", args=[999999])).status_code == 404
    assert client.get("/recruitment/applications/abc/").status_code == 404


def test_screen_one_application(client, cast, jaipur_app):
    log_in(client, cast.district_admin)
    response = client.post(reverse("recruitment:screen", args=[jaipur_app.pk]), {"action": "reject", "reason": "Spam"})
    assert response.status_code == 302
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "rejected" and jaipur_app.decision_reason == "Spam"
    event = jaipur_app.events.last()
    assert event.kind == "rejected" and event.by == cast.district_admin


@pytest.mark.parametrize(
    "data",
    [
        {"action": "reject"},
        {"action": "reject", "reason": "   "},
        {"action": "reject", "reason": "x" * 501},
        {"action": "approve"},
        {},
    ],
)
def test_screen_bad_input_shows_an_error(client, cast, jaipur_app, data):
    response = log_in(client, cast.district_admin).post(reverse("recruitment:screen", args=[jaipur_app.pk]), data)
    assert response.status_code == 200
    assert 'class="error"' in html(response)
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "submitted"


def test_screening_past_screening_says_so(client, cast, jaipur_app, day):
    from sangathan.recruitment.tests.staff_fixtures import schedule

    schedule(jaipur_app, day)
    response = log_in(client, cast.district_admin).post(
        reverse("recruitment:screen", args=[jaipur_app.pk]), {"action": "reject", "reason": "x"}, follow=True
    )
    assert response.status_code == 200 and "past screening" in html(response)
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "scheduled"


# ---------------------------------------------------------------- exports


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def read_xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_exports_are_scoped_and_filtered(client, cast, campaign, jaipur_app, ajmer_app):
    for user, mine, theirs in (
        (cast.district_admin, jaipur_app, ajmer_app),
        (cast.sibling_admin, ajmer_app, jaipur_app),
    ):
        log_in(client, user)
        response = client.get(reverse("recruitment:export_csv", args=[campaign.slug]))
        assert response["Content-Type"].startswith("text/csv")
        rows = read_csv(response)
        flat = "\n".join(",".join(r) for r in rows)
        assert mine.reference in flat and theirs.reference not in flat and theirs.name_en not in flat
        assert len(rows) == 2
        response = client.get(reverse("recruitment:export_xlsx", args=[campaign.slug]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = read_xlsx(response)
        flat = repr(rows)
        assert mine.reference in flat and theirs.reference not in flat and theirs.name_en not in flat
        assert len(rows) == 2
    log_in(client, cast.state_admin)
    rows = read_csv(client.get(reverse("recruitment:export_csv", args=[campaign.slug]), {"status": "rejected"}))
    assert len(rows) == 1  # the header only
    assert client.get(reverse("recruitment:export_csv", args=["nope"])).status_code == 404


def test_exports_neutralise_formulas(client, cast, campaign, submit):
    submit(
        mobile="9829033333",
        name_en='=HYPERLINK("http://evil","x")',
        occupation="+cmd|' /C calc'!A0",
        education="-2+3",
        statement="@SUM(1,2)",
        writing_sample="\tTabbed",
        social_accounts=[{"platform": "x", "handle": "=1+1", "followers": 3}],
    )
    log_in(client, cast.state_admin)
    header, row = read_csv(client.get(reverse("recruitment:export_csv", args=[campaign.slug])))
    cells = dict(zip(header, row, strict=True))
    assert cells["Name (English)"] == '\'=HYPERLINK("http://evil","x")'
    assert cells["Occupation"] == "'+cmd|' /C calc'!A0"
    assert cells["Education"] == "'-2+3"
    assert cells["Why they want to join"] == "'@SUM(1,2)"
    assert cells["A post they would write"] == "'\tTabbed"
    assert cells["Mobile number"] == "'+919829033333"
    for value in row:
        assert not value.startswith(("=", "+", "-", "@", "\t"))
    workbook = load_workbook(io.BytesIO(client.get(reverse("recruitment:export_xlsx", args=[campaign.slug])).content))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    data = dict(zip(header, sheet[2], strict=True))
    assert data["Name (English)"].value == '\'=HYPERLINK("http://evil","x")'
    assert data["Name (English)"].data_type == "s"
    for cell in sheet[2]:
        assert cell.data_type != "f"
        assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t")))
    assert data["Followers"].value == 3


def test_exports_keep_hindi(client, cast, campaign, jaipur_app):
    log_in(client, cast.state_admin)
    rows = read_csv(client.get(reverse("recruitment:export_csv", args=[campaign.slug])))
    assert "सीमा मीणा" in rows[1]
    rows = read_xlsx(client.get(reverse("recruitment:export_xlsx", args=[campaign.slug])))
    assert "सीमा मीणा" in rows[1]


def test_export_query_count_does_not_grow(client, cast, campaign, submit, django_assert_max_num_queries):
    log_in(client, cast.state_admin)
    for i in range(30):
        submit(mobile=f"98292{i:05d}")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("recruitment:export_xlsx", args=[campaign.slug]))
    assert len(read_xlsx(response)) == 31


def test_campaign_position_targets_are_shown(client, cast, campaign):
    CampaignPosition.objects.filter(campaign=campaign, position__code="representative").update(target=3)
    response = log_in(client, cast.state_admin).get(reverse("recruitment:dashboard", args=[campaign.slug]))
    assert "target 3" in html(response)
