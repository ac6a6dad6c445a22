"""The plan pages: dashboard, copying the template, editing dates; scope (404 / 403, nothing changed); query counts."""

import pytest
from django.urls import reverse

from sangathan.org.tests.factories import make_unit
from sangathan.planning import progress, services
from sangathan.planning.models import Milestone, Plan, PlanSnapshot
from sangathan.planning.snapshots import snapshot_write
from sangathan.planning.tests.helpers import D, appoint, train
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree, cast):
    return services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)


def test_state_admin_copies_the_template(client, tree, cast):
    log_in(client, cast.state_admin, language="hi")
    url = reverse("planning:create", args=[tree.rajasthan.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"year": "2026"})
    plan = Plan.objects.get(scope=tree.rajasthan)
    assert response.status_code == 302 and response["Location"] == reverse("planning:edit", args=[plan.pk])
    assert plan.milestones.count() == 9
    page = client.get(reverse("planning:dashboard", args=[tree.rajasthan.pk]))
    assert page.status_code == 200
    assert "late" in page.content.decode() or "देर" in page.content.decode()


def test_dashboard_without_plan_offers_the_template(client, tree, cast):
    log_in(client, cast.district_admin, language="hi")
    page = client.get(reverse("planning:dashboard", args=[tree.jaipur.pk]))
    assert page.status_code == 200
    assert reverse("planning:create", args=[tree.jaipur.pk]) in page.content.decode()


def test_dashboard_with_data_chart_and_late_units(client, tree, cast, plan):
    head = appoint(tree.jaipur)
    train(head.person)
    for day in (D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 3)):
        progress.refresh(today=day)
        snapshot_write(today=day)
    log_in(client, cast.state_admin, language="hi")
    page = client.get(reverse("planning:dashboard", args=[tree.rajasthan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "polyline" in html
    assert head.person.name_hi in html or head.person.name_en in html or "अजमेर" in html
    assert PlanSnapshot.objects.filter(unit=tree.rajasthan).dates("date", "day").count() == 3


def test_sibling_cannot_see_jaipur(client, tree, cast, plan):
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    log_in(client, cast.sibling_admin, language="hi")
    for url in (
        reverse("planning:dashboard", args=[tree.jaipur.pk]),
        reverse("planning:late", args=[tree.jaipur.pk]),
        reverse("planning:create", args=[tree.jaipur.pk]),
        reverse("planning:edit", args=[jaipur_plan.pk]),
        reverse("planning:dashboard", args=[tree.booth1.pk]),
    ):
        assert client.get(url).status_code == 404, url
    milestone = jaipur_plan.milestones.get(level__code="booth", kind="appointed")
    response = client.post(reverse("planning:edit", args=[jaipur_plan.pk]), {f"m{milestone.pk}": "2026-05-01"})
    assert response.status_code == 404
    assert client.post(reverse("planning:refresh", args=[tree.jaipur.pk])).status_code == 404
    milestone.refresh_from_db()
    assert milestone.due_date == D(2026, 5, 31)


def test_viewer_cannot_edit_or_copy(client, tree, cast, plan):
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    log_in(client, cast.viewer, language="hi")
    assert client.get(reverse("planning:dashboard", args=[tree.jaipur.pk])).status_code == 200
    milestone = jaipur_plan.milestones.get(level__code="booth", kind="appointed")
    data = {f"m{m.pk}": m.due_date.isoformat() for m in jaipur_plan.milestones.all()}
    data[f"m{milestone.pk}"] = "2026-05-01"
    assert client.post(reverse("planning:edit", args=[jaipur_plan.pk]), data).status_code == 403
    assert client.post(reverse("planning:create", args=[tree.amer.pk]), {"year": "2026"}).status_code == 403
    assert client.post(reverse("planning:refresh", args=[tree.jaipur.pk])).status_code == 403
    milestone.refresh_from_db()
    assert milestone.due_date == D(2026, 5, 31)
    assert not Plan.objects.filter(scope=tree.amer).exists()
    # The district admin cannot edit the state's plan either (seen, not allowed: it is above them).
    log_in(client, cast.district_admin, language="hi")
    assert client.get(reverse("planning:edit", args=[plan.pk])).status_code == 404


def test_loosening_is_refused_with_a_message_and_nothing_changes(client, tree, cast, plan):
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    log_in(client, cast.district_admin, language="hi")
    data = {f"m{m.pk}": m.due_date.isoformat() for m in jaipur_plan.milestones.all()}
    tighter = jaipur_plan.milestones.get(level__code="assembly", kind="appointed")
    looser = jaipur_plan.milestones.get(level__code="booth", kind="appointed")
    data[f"m{tighter.pk}"] = "2026-04-20"
    data[f"m{looser.pk}"] = "2026-06-10"
    response = client.post(reverse("planning:edit", args=[jaipur_plan.pk]), data, HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 200
    assert "ढील" in response.content.decode() or "loosen" in response.content.decode()
    tighter.refresh_from_db()
    looser.refresh_from_db()
    assert tighter.due_date == D(2026, 4, 30) and looser.due_date == D(2026, 5, 31)
    data[f"m{looser.pk}"] = "2026-05-20"
    assert client.post(reverse("planning:edit", args=[jaipur_plan.pk]), data).status_code == 302
    assert Milestone.objects.get(pk=tighter.pk).due_date == D(2026, 4, 20)


def test_bad_date_is_a_message_not_a_500(client, tree, cast, plan):
    log_in(client, cast.state_admin, language="hi")
    milestone = plan.milestones.first()
    response = client.post(reverse("planning:edit", args=[plan.pk]), {f"m{milestone.pk}": "31/31/2026"})
    assert response.status_code == 200
    assert client.post(reverse("planning:create", args=[tree.rajasthan.pk]), {"year": "2026"}).status_code == 200


def test_dashboard_query_count_is_pinned(client, tree, cast, plan, django_assert_max_num_queries):
    for booth in (tree.booth1, tree.booth2, tree.ajmer_booth):
        appoint(booth)
    progress.refresh(today=D(2026, 6, 20))
    log_in(client, cast.state_admin, language="hi")
    url = reverse("planning:dashboard", args=[tree.rajasthan.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    # More units, more late units, more children: the same number of queries.

    for n in range(3, 9):
        appoint(make_unit(tree.amer, "booth", f"Booth {n}", number=n))
    make_unit(tree.rajasthan, "district", "Kota")
    progress.refresh(today=D(2026, 6, 20))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_count_again_and_dissolution_on_the_dashboard(client, tree, cast, plan, django_capture_on_commit_callbacks):
    from sangathan.org import services as org_services
    from sangathan.planning.models import ProgressRun

    head = appoint(tree.jaipur)
    train(head.person)
    log_in(client, cast.district_admin, language="hi")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:refresh", args=[tree.jaipur.pk]))
    assert response.status_code == 302
    assert ProgressRun.objects.filter(unit=tree.jaipur).exists()
    org_services.committee_dissolve(unit=tree.jaipur, reason="did not deliver", by=cast.state_admin)
    html = client.get(reverse("planning:dashboard", args=[tree.jaipur.pk])).content.decode()
    assert 'id="dissolved"' in html and "भंग" in html
    late = client.get(reverse("planning:late", args=[tree.rajasthan.pk]))
    assert late.status_code == 404  # the district admin does not see the state
    late = client.get(reverse("planning:late", args=[tree.jaipur.pk]))
    assert late.status_code == 200 and "कोई प्रभारी नियुक्त नहीं" in late.content.decode()


def test_national_dashboard_adds_up_the_state_plans(client, tree, cast, plan):
    from sangathan.access.models import Role, RoleAssignment
    from sangathan.org.tests.factories import UserFactory

    national = UserFactory(username="national_admin")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.NATIONAL_ADMIN)
    progress.refresh(today=D(2026, 6, 20))
    snapshot_write(today=D(2026, 6, 19))
    snapshot_write(today=D(2026, 6, 20))
    log_in(client, national, language="hi")
    html = client.get(reverse("planning:dashboard", args=[tree.india.pk])).content.decode()
    assert 'id="level-booth"' in html and "<svg" in html
    assert reverse("planning:create", args=[tree.india.pk]) in html


def test_late_list_query_count_is_pinned(client, tree, cast, plan, django_assert_max_num_queries):
    progress.refresh(today=D(2026, 6, 20))
    log_in(client, cast.state_admin, language="hi")
    url = reverse("planning:late", args=[tree.rajasthan.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for n in range(3, 9):
        appoint(make_unit(tree.amer, "booth", f"Booth {n}", number=n))
    progress.refresh(today=D(2026, 6, 20))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
