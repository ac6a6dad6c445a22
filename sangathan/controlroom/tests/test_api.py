"""The control-room API: roll-ups, scorecards, needs attention, reports and alerts read in the caller's scope
(a sibling district gets 404, a viewer 403); a daily report posted with an office-bearer's personal token for
their own post only, through the /r/ form's rules (a future day, absurd counts, a link that is not a post,
another person's post: a clear 400/403 and nothing stored); pinned query counts."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from sangathan.apitokens.services import api_token_create
from sangathan.controlroom import services
from sangathan.controlroom.models import ActivityReport, Alert, AlertRule, PostMention, ReportedPost, StateReport
from sangathan.logins.services import login_for_person

pytestmark = pytest.mark.django_db


def api(user=None, *, secret: str | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    elif user is not None:
        client.force_authenticate(user)
    return client


def token_of(appointment) -> str:
    login, _created = login_for_person(person=appointment.person)
    return api_token_create(user=login.user, name="integration", days=30)[1]


@pytest.fixture
def rolled(bearers):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    for name, posts in (("booth1", 3), ("booth2", 1), ("ajmer_booth", 4)):
        services.activity_report_submit(
            appointment_id=getattr(bearers, name).pk, day=yesterday, counts={"posts": posts}, today=yesterday
        )
    services.rollup_refresh(day=yesterday)
    return yesterday


# ---------------------------------------------------------------- reads


def test_rollups_of_a_unit_per_level(tree, cast, rolled):
    url = reverse("controlroom_api:rollup-list")
    answer = api(cast.district_admin).get(url, {"unit": tree.jaipur.pk, "day": rolled.isoformat()})
    assert answer.status_code == 200
    rows = {row["level"]: row for row in answer.json()["results"]}
    assert rows["booth"]["bearers"] == 2 and rows["booth"]["reported"] == 2 and rows["booth"]["posts"] == 4
    assert rows["district"]["reported"] == 0 and all(row["unit"] == tree.jaipur.pk for row in rows.values())
    # Everything a district sees is in its own subtree; Ajmer's rows never show.
    everything = api(cast.district_admin).get(url, {"limit": 500}).json()["results"]
    assert everything and all(row["path"].startswith(tree.jaipur.path) for row in everything)
    # A unit outside the control-room scope cannot be named (as if it did not exist).
    refused = api(cast.district_admin).get(url, {"unit": tree.ajmer.pk})
    assert refused.status_code == 400
    assert api(cast.viewer).get(url).json()["results"] == []  # a viewer has no control room


def test_rollup_list_queries_are_pinned(tree, cast, rolled):
    client = api(cast.state_admin)
    client.get(reverse("controlroom_api:rollup-list"), {"limit": 1})  # the user's roles, read once and kept
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("controlroom_api:rollup-list"), {"limit": 5})
    with CaptureQueriesContext(connection) as more:
        answer = client.get(reverse("controlroom_api:rollup-list"), {"limit": 50})
    assert len(answer.json()["results"]) > 5
    assert len(few) == len(more) == 3  # the count, the page, the units of its paths


def test_scorecards_over_the_api(tree, cast, rolled):
    url = reverse("controlroom_api:unit-scorecards", args=[tree.rajasthan.pk])
    answer = api(cast.state_admin).get(url, {"from": rolled.isoformat(), "to": rolled.isoformat()})
    assert answer.status_code == 200
    data = answer.json()
    assert data["child_level"] == "district" and data["period"]["days"] == 1
    # Ajmer: 1 of 4 reported (25), 4 posts on its one booth (the best: 100), nobody trained, no channel;
    # Jaipur: 2 of 5 (40), 4 posts on two booths (50): Ajmer ranks first, 31 to 22.
    assert [(card["unit"], card["overall"]) for card in data["cards"]] == [(tree.ajmer.pk, 31), (tree.jaipur.pk, 22)]
    jaipur = data["cards"][1]
    reporting = next(score for score in jaipur["scores"] if score["key"] == "reporting")
    assert reporting["inputs"] == {"done": 2.0, "total": 5.0} and reporting["percent"] == 40
    assert "÷" in reporting["formula"]
    with translation.override("hi"):
        hindi = api(cast.state_admin).get(url, {"days": 7}, HTTP_ACCEPT_LANGUAGE="hi").json()
    assert hindi["cards"][0]["scores"][0]["label"] == "रिपोर्टिंग की नियमितता"
    bad = api(cast.state_admin).get(url, {"from": rolled.isoformat(), "to": "2099-01-01"})
    assert bad.status_code == 400 and "today" in str(bad.json())
    assert api(cast.state_admin).get(url, {"days": 9}).status_code == 400
    ancient = api(cast.state_admin).get(url, {"from": "0001-01-01", "to": "0001-01-02"})  # was a 500 on SQLite
    assert ancient.status_code == 400 and "2000" in str(ancient.json())


def test_scorecards_and_attention_are_scoped(tree, cast, bearers, rolled):
    for name in ("controlroom_api:unit-scorecards", "controlroom_api:unit-needs-attention"):
        assert api(cast.sibling_admin).get(reverse(name, args=[tree.jaipur.pk])).status_code == 404
        assert api(cast.viewer).get(reverse(name, args=[tree.jaipur.pk])).status_code == 403
        assert api(cast.district_admin).get(reverse(name, args=[tree.jaipur.pk])).status_code == 200
    bearer = reverse("controlroom_api:bearer-scorecard", args=[bearers.booth1.pk])
    assert api(cast.sibling_admin).get(bearer).status_code == 404
    mine = api(cast.district_admin).get(bearer, {"from": rolled.isoformat(), "to": rolled.isoformat()})
    assert mine.status_code == 200 and mine.json()["rank"] == 1 and mine.json()["among"] == 2  # 3 posts to 1
    attention = api(cast.state_admin).get(reverse("controlroom_api:unit-needs-attention", args=[tree.rajasthan.pk]))
    assert attention.status_code == 200 and attention.json()["threshold"] == 40


def test_reports_list_and_download_in_scope(tree, cast):
    reports = {}
    for unit in (tree.jaipur, tree.ajmer):
        report = StateReport(unit=unit, kind="daily", day=timezone.localdate(), status="made", made_at=timezone.now())
        report.pdf.save(f"r{unit.pk}.pdf", ContentFile(b"%PDF-1.4 ZQ"), save=False)
        report.save()
        reports[unit.pk] = report
    listed = api(cast.district_admin).get(reverse("controlroom_api:report-list")).json()["results"]
    assert [row["id"] for row in listed] == [reports[tree.jaipur.pk].pk]
    assert listed[0]["pdf_url"].endswith(f"/api/v1/controlroom/reports/{reports[tree.jaipur.pk].pk}/pdf/")
    assert listed[0]["xlsx_url"] is None
    download = api(cast.district_admin).get(listed[0]["pdf_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Cache-Control"] == "private, no-store"
    sibling = reverse("controlroom_api:report-download", args=[reports[tree.ajmer.pk].pk, "pdf"])
    assert api(cast.district_admin).get(sibling).status_code == 404
    assert api(cast.district_admin).get(listed[0]["pdf_url"].replace("/pdf/", "/exe/")).status_code == 404


def test_alerts_list_in_scope(tree, cast):
    rule = AlertRule.objects.create(kind="silent", name="ZQ silent", threshold=7)
    for unit in (tree.booth1, tree.ajmer_booth):
        Alert.objects.create(rule=rule, unit=unit, path=unit.path, raised_at=timezone.now(), numbers={"days": 7})
    seen = api(cast.district_admin).get(reverse("controlroom_api:alert-list")).json()["results"]
    assert [row["unit"] for row in seen] == [tree.booth1.pk]
    assert seen[0]["rule"] == "silent" and seen[0]["state"] == "open"


# ---------------------------------------------------------------- posting a report


def _report(**more):
    return {"day": timezone.localdate().isoformat(), "posts": 2, "shares": 3, **more}


def test_an_office_bearer_reports_with_a_token(tree, bearers, django_capture_on_commit_callbacks):
    client = api(secret=token_of(bearers.booth1))
    url = reverse("controlroom_api:activity-report-create")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            url,
            _report(urls=["https://mobile.twitter.com/bjp4rajasthan/status/1866000000000000042?s=20&t=abc"]),
            format="json",
        )
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["appointment"] == bearers.booth1.pk and data["posts"] == 2
    assert data["urls"] == ["https://x.com/bjp4rajasthan/status/1866000000000000042"]  # normalised as on /r/
    # Again for the day: the same report, updated (never a second one).
    again = client.post(url, _report(appointment=bearers.booth1.pk, posts=5), format="json")
    assert again.status_code == 200 and again.json()["revisions"] == 1 and again.json()["urls"] == []
    assert ActivityReport.objects.filter(appointment=bearers.booth1).count() == 1
    assert ActivityReport.objects.get(appointment=bearers.booth1).posts == 5


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (lambda today: _report(day=(today + datetime.timedelta(days=1)).isoformat()), "not come yet"),
        (lambda today: _report(day=(today - datetime.timedelta(days=30)).isoformat()), "last 3 days"),
        (lambda today: _report(posts=100000), "cannot be more than"),
        (lambda today: _report(shares=-1), "below 0"),
        (lambda today: _report(urls=["https://example.com/hello"]), "example.com"),
        (lambda today: _report(urls=["https://x.com/bjp4rajasthan"]), "x.com"),
        (lambda today: _report(note="<script>alert(1)</script>"), "HTML"),
        (lambda today: _report(day="yesterday"), "day"),
    ],
)
def test_bad_reports_are_refused_and_store_nothing(bearers, body, expected):
    client = api(secret=token_of(bearers.booth1))
    answer = client.post(reverse("controlroom_api:activity-report-create"), body(timezone.localdate()), format="json")
    assert answer.status_code == 400
    assert expected.lower() in str(answer.json()).lower()
    assert not ActivityReport.objects.exists() and not ReportedPost.objects.exists()
    assert not PostMention.objects.exists()


def test_a_refusal_is_in_hindi(bearers):
    client = api(secret=token_of(bearers.booth1))
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    answer = client.post(
        reverse("controlroom_api:activity-report-create"),
        _report(day=future),
        format="json",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert answer.status_code == 400
    with translation.override("hi"):
        from django.utils.translation import gettext

        assert gettext("A report cannot be for a day that has not come yet.") in str(answer.json())


def test_nobody_reports_for_another_persons_post(tree, cast, bearers):
    url = reverse("controlroom_api:activity-report-create")
    client = api(secret=token_of(bearers.booth1))
    for other in (bearers.booth2, bearers.ajmer_booth, bearers.jaipur):
        answer = client.post(url, _report(appointment=other.pk), format="json")
        assert answer.status_code == 403 and "own" in str(answer.json())
    assert client.post(url, _report(appointment=999999), format="json").status_code == 403
    # A state admin's own login holds no key post: no report for anybody's.
    admin = api(cast.state_admin)
    assert admin.post(url, _report(appointment=bearers.booth1.pk), format="json").status_code == 403
    assert admin.post(url, _report(), format="json").status_code == 403
    assert api().post(url, _report(), format="json").status_code in (401, 403)
    assert not ActivityReport.objects.exists()


def test_an_ended_post_reports_no_more(bearers):
    from sangathan.org import services as org_services

    client = api(secret=token_of(bearers.booth1))
    org_services.appointment_relieve(appointment=bearers.booth1, reason="term over")
    answer = client.post(reverse("controlroom_api:activity-report-create"), _report(), format="json")
    assert answer.status_code == 403
    assert not ActivityReport.objects.exists()
