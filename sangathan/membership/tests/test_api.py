"""The membership API under /api/v1/membership/: members (scoped, filtered, masked as on the unit page), a
paper member entered with its "not me" SMS, revoking, the review of a flagged sign-up, the duplicate queue's
decisions, counts that agree with the unit page's, leaderboards, sheet imports; scope (a sibling district
neither sees nor changes: 404, nothing changed; a viewer 403); bad input (400 with a translated message,
nothing written); the query counts of the lists."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from sangathan.membership.models import DuplicateCase, Member, MemberCounter, MemberImport
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.membership.tests.test_fraud import confirm, sign_up
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import api_client as api
from sangathan.testing import first_message, log_in

pytestmark = pytest.mark.django_db

API = "/api/v1/membership"


def member_rows() -> list[tuple]:
    return list(Member.objects.order_by("pk").values_list("pk", "status", "flagged", "revoke_reason", "unit"))


def ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


@pytest.fixture
def members(tree, referral):
    return {
        "verified": join(
            tree.booth1, name="Seema Meena", epic="RJX1234567", referral=referral, verify=True, gender="female"
        ),
        "pending": join(tree.booth2, name="Pending Person", age=52),
        "ajmer": join(tree.ajmer_booth, name="Ajmer Member", verify=True),
    }


@pytest.fixture
def held(tree):
    with override_settings(MEMBERSHIP_FRAUD_PER_ADDRESS=0):
        return confirm(sign_up(tree.booth1, address="203.0.113.7"))


# ---------------------------------------------------------------- members: scope, filters, masking


def test_a_district_admin_lists_its_members_only_in_full(tree, cast, members):
    response = api(cast.district_admin).get(f"{API}/members/")
    assert ids(response) == {members["verified"].pk, members["pending"].pk}
    row = next(r for r in response.data["results"] if r["id"] == members["verified"].pk)
    assert row["mobile"] == members["verified"].mobile and row["epic"] == "RJX1234567" and row["age"] == "30"
    assert row["unit"]["id"] == tree.booth1.pk and row["counts"] is True and row["referred_by"]
    assert row["status"] == "verified" and row["signals"] == []


def test_a_viewer_sees_members_masked_as_on_the_unit_page(tree, cast, members):
    response = api(cast.viewer).get(f"{API}/members/{members['verified'].pk}/")
    assert response.status_code == 200
    mobile = members["verified"].mobile
    assert response.data["mobile"] == f"+91 {mobile[3:5]}•••••{mobile[-3:]}"
    assert response.data["epic"] == "RJX•••••67" and response.data["age"] == "30–39"
    body = response.content.decode()
    assert mobile not in body and mobile[3:] not in body and "RJX1234567" not in body
    # The unit page masks the same way for the same user.
    page = log_in(APIClient(), cast.viewer).get(reverse("membership:unit", args=[tree.jaipur.pk])).content.decode()
    assert "RJX•••••67" in page and "RJX1234567" not in page


def test_a_sibling_district_cannot_see_or_change_jaipurs_members(tree, cast, members, held):
    client = api(cast.sibling_admin)
    assert ids(client.get(f"{API}/members/")) == {members["ajmer"].pk}
    verified = members["verified"]
    before = member_rows()
    assert client.get(f"{API}/members/{verified.pk}/").status_code == 404
    assert client.post(f"{API}/members/{verified.pk}/revoke/", {"reason": "x"}, format="json").status_code == 404
    assert client.post(f"{API}/members/{held.pk}/review/", {"decision": "clear"}, format="json").status_code == 404
    assert client.get(f"{API}/members/", {"within": tree.jaipur.pk}).status_code == 400
    assert client.get(f"{API}/units/{tree.jaipur.pk}/counts/").status_code == 404
    assert client.get(f"{API}/units/{tree.jaipur.pk}/children/").status_code == 404
    assert client.get(f"{API}/units/{tree.jaipur.pk}/leaderboard/").status_code == 404
    body = {"unit": tree.booth1.pk, "name": "Sneaky", "mobile": "98290 55555", "age": 30}
    assert client.post(f"{API}/members/", body, format="json").status_code == 400  # the booth is unknown to it
    assert member_rows() == before


def test_a_viewer_may_read_but_not_change(tree, cast, members, held):
    client = api(cast.viewer)
    before = member_rows()
    verified = members["verified"]
    assert client.post(f"{API}/members/{verified.pk}/revoke/", {"reason": "x"}, format="json").status_code == 403
    assert client.post(f"{API}/members/{held.pk}/review/", {"decision": "clear"}, format="json").status_code == 403
    body = {"unit": tree.booth1.pk, "name": "Viewer Entry", "mobile": "98290 55555", "age": 30}
    assert client.post(f"{API}/members/", body, format="json").status_code == 403
    assert member_rows() == before
    assert not ids(client.get(f"{API}/duplicates/"))  # the queue is for those who may appoint


def test_filters_status_unit_within_verified_flagged_since(tree, cast, members, held):
    client = api(cast.state_admin)
    everyone = {members["verified"].pk, members["pending"].pk, members["ajmer"].pk, held.pk}
    assert ids(client.get(f"{API}/members/")) == everyone
    assert ids(client.get(f"{API}/members/", {"status": "pending"})) == {members["pending"].pk}
    assert ids(client.get(f"{API}/members/", {"unit": tree.booth2.pk})) == {members["pending"].pk}
    assert ids(client.get(f"{API}/members/", {"unit": tree.jaipur.pk})) == set()
    assert ids(client.get(f"{API}/members/", {"within": tree.ajmer.pk})) == {members["ajmer"].pk}
    assert ids(client.get(f"{API}/members/", {"verified": "true"})) == {members["verified"].pk, members["ajmer"].pk}
    assert ids(client.get(f"{API}/members/", {"verified": "false"})) == {members["pending"].pk, held.pk}
    assert ids(client.get(f"{API}/members/", {"flagged": "true"})) == {held.pk}
    today = timezone.localdate()
    assert ids(client.get(f"{API}/members/", {"since": today - datetime.timedelta(days=2)})) == everyone
    assert ids(client.get(f"{API}/members/", {"since": today + datetime.timedelta(days=2)})) == set()
    flagged = client.get(f"{API}/members/{held.pk}/").data
    assert flagged["status"] == "held" and flagged["signals"][0]["kind"] == "shared_address"
    assert "internet address" in flagged["signals"][0]["explanation"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "gone"},
        {"verified": "maybe"},
        {"since": "yesterday"},
        {"since": "0001-01-01"},
        {"since": "9999-12-31"},
        {"unit": "1" * 40},
        {"within": "-5"},
    ],
    ids=["status", "verified", "since-word", "since-year-1", "since-year-9999", "unit-huge", "within-negative"],
)
def test_bad_filters_answer_400(tree, cast, members, query):
    response = api(cast.state_admin).get(f"{API}/members/", query)
    assert response.status_code == 400, response.data


def test_the_member_list_has_a_pinned_number_of_queries(tree, cast, members, held):
    def queries(extra: int) -> int:
        for n in range(extra):
            join(tree.booth1, name=f"Extra Member {n}", verify=True)
        client = api(cast.district_admin)
        client.get(f"{API}/members/")  # warm: the roles of the user, content types
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/members/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    few = queries(0)
    assert queries(6) == few
    assert few == 3, few  # count, page, signals (one prefetch); the roles were read by the first request


# ---------------------------------------------------------------- a paper member


def paper_body(tree, **more) -> dict:
    return {"unit": tree.booth1.pk, "name": "Kamla Devi", "mobile": "98290 44444", "age": 44, **more}


def test_a_paper_member_is_entered_pending_with_its_not_me_sms(tree, cast):
    response = api(cast.district_admin).post(
        f"{API}/members/", paper_body(tree, epic="rjx 7654321", gender="female"), format="json"
    )
    assert response.status_code == 201, response.data
    member = Member.objects.get()
    assert response.data["id"] == member.pk and response.data["status"] == "pending"
    assert member.source == "paper" and member.entered_by == cast.district_admin and member.epic == "RJX7654321"
    assert member.mobile == "+919829044444" and response.data["mobile"] == "+919829044444"
    sms = OutboxMessage.objects.get(template="membership_paper_entered")
    assert sms.recipient == member.mobile
    assert counts_for_unit(tree.jaipur).pending == 1 and counts_for_unit(tree.jaipur).verified == 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"name": ""}, "सदस्य का नाम"),
        ({"mobile": "12345"}, "मोबाइल"),
        ({"age": 15}, "18"),
        ({"age": "old"}, "आयु"),
        ({"epic": "123"}, "EPIC"),
        ({"gender": "x"}, "विकल्प"),
        ({"name": "a\x00b"}, ""),
        ({"unit": 10**30}, ""),
    ],
    ids=["name", "mobile", "under-age", "age-word", "epic", "gender", "nul", "unit-huge"],
)
def test_bad_paper_forms_are_refused_in_hindi_and_nothing_is_written(tree, cast, change, words):
    with translation.override("hi"):
        response = api(cast.district_admin, "hi").post(f"{API}/members/", paper_body(tree, **change), format="json")
    assert response.status_code == 400, response.data
    assert words in first_message(response.data), response.data
    assert not Member.objects.exists() and not OutboxMessage.objects.exists()


def test_a_paper_form_above_a_booth_or_for_a_taken_number_is_refused(tree, cast, members):
    client = api(cast.district_admin, "hi")
    with translation.override("hi"):
        above = client.post(f"{API}/members/", paper_body(tree, unit=tree.amer.pk), format="json")
        taken = client.post(f"{API}/members/", paper_body(tree, mobile=members["pending"].mobile[3:]), format="json")
    assert above.status_code == 400 and "बूथ" in first_message(above.data)
    assert taken.status_code == 400 and "मोबाइल" in first_message(taken.data)
    assert Member.objects.count() == 3


# ---------------------------------------------------------------- revoking and reviewing


def test_an_admin_revokes_with_a_reason_and_the_counts_go_down(tree, cast, members):
    verified = members["verified"]
    client = api(cast.district_admin, "hi")
    with translation.override("hi"):
        refused = client.post(f"{API}/members/{verified.pk}/revoke/", {"reason": "  "}, format="json")
    assert refused.status_code == 400 and "कारण" in first_message(refused.data)
    markup = client.post(f"{API}/members/{verified.pk}/revoke/", {"reason": "<b>gone</b>"}, format="json")
    assert markup.status_code == 400
    assert Member.objects.get(pk=verified.pk).status == "verified"
    response = client.post(f"{API}/members/{verified.pk}/revoke/", {"reason": "left the party"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "revoked"
    assert response.data["revoked_via"] == "admin" and response.data["revoke_reason"] == "left the party"
    assert counts_for_unit(tree.jaipur).verified == 0


def test_a_flagged_sign_up_is_cleared_or_revoked(tree, cast, held):
    client = api(cast.district_admin, "hi")
    with translation.override("hi"):
        bad = client.post(f"{API}/members/{held.pk}/review/", {"decision": "release"}, format="json")
    assert bad.status_code == 400 and first_message(bad.data)
    assert Member.objects.get(pk=held.pk).status == "held"
    assert counts_for_unit(tree.india).verified == 0
    cleared = client.post(f"{API}/members/{held.pk}/review/", {"decision": "clear"}, format="json")
    assert cleared.status_code == 200 and cleared.data["status"] == "verified" and not cleared.data["flagged"]
    assert counts_for_unit(tree.india).verified == 1
    with override_settings(MEMBERSHIP_FRAUD_PER_ADDRESS=0):
        other = confirm(sign_up(tree.booth1, address="203.0.113.7"))
    revoked = client.post(
        f"{API}/members/{other.pk}/review/", {"decision": "revoke", "reason": "one phone"}, format="json"
    )
    assert revoked.status_code == 200 and revoked.data["status"] == "revoked"


# ---------------------------------------------------------------- likely duplicates


def test_the_duplicate_queue_is_masked_and_decided(tree, cast):
    first = join(tree.booth1, name="Kamla Devi", verify=True, epic="RJX1111111")
    second = join(tree.booth1, name="kamla devi", verify=True)
    join(tree.ajmer_booth, name="Kamla Devi", verify=True)
    join(tree.ajmer_booth, name="Kamla Devi", verify=True)
    client = api(cast.district_admin)
    response = client.get(f"{API}/duplicates/")
    assert response.status_code == 200 and response.data["count"] == 1
    case = response.data["results"][0]
    assert case["member"]["id"] == second.pk and case["other"]["id"] == first.pk
    assert case["other"]["epic"] == "RJX•••••11" and "•" in case["other"]["mobile"] and case["other"]["age"] == "30–39"
    assert first.mobile not in response.content.decode()
    sibling_case = DuplicateCase.objects.get(unit=tree.ajmer_booth)
    refused = api(cast.sibling_admin).post(
        f"{API}/duplicates/{case['id']}/decide/", {"decision": "keep_both"}, format="json"
    )
    assert refused.status_code == 404 and DuplicateCase.objects.get(pk=case["id"]).status == "open"
    assert client.post(f"{API}/duplicates/{sibling_case.pk}/decide/", {"decision": "keep_both"}).status_code == 404
    bad = client.post(f"{API}/duplicates/{case['id']}/decide/", {"decision": "both"}, format="json")
    assert bad.status_code == 400 and DuplicateCase.objects.get(pk=case["id"]).status == "open"
    merged = client.post(f"{API}/duplicates/{case['id']}/decide/", {"decision": "keep_other"}, format="json")
    assert merged.status_code == 200 and merged.data["status"] == "merged" and merged.data["kept"] == first.pk
    assert Member.objects.get(pk=second.pk).status == "revoked"
    assert counts_for_unit(tree.jaipur).verified == 1
    assert client.get(f"{API}/duplicates/").data["count"] == 0
    assert client.get(f"{API}/duplicates/", {"status": "merged"}).data["count"] == 1


# ---------------------------------------------------------------- counts and leaderboards


def test_counts_agree_with_the_unit_page_and_come_from_the_counters(tree, cast, members, held):
    client = api(cast.district_admin)
    response = client.get(f"{API}/units/{tree.jaipur.pk}/counts/")
    assert response.status_code == 200
    counts = response.data["counts"]
    page = log_in(APIClient(), cast.district_admin).get(reverse("membership:unit", args=[tree.jaipur.pk]))
    assert page.context["counts"].verified == counts["verified"] == 1
    assert page.context["counts"].pending == counts["pending"] == 1
    assert counts["women"] == 1 and counts["women_percent"] == 100.0 and counts["youth"] == 1
    assert counts["booths"] == 0 or counts["target"] == counts["booths"] * response.data["target_per_booth"]
    assert len(response.data["growth"]) == 30 and response.data["growth"][-1]["gained"] == 1
    assert len(client.get(f"{API}/units/{tree.jaipur.pk}/counts/", {"days": 7}).data["growth"]) == 7
    for days in ("0", "367", "x", "1" * 40):
        assert client.get(f"{API}/units/{tree.jaipur.pk}/counts/", {"days": days}).status_code == 400
    MemberCounter.objects.filter(unit=tree.jaipur).update(verified=12345)
    assert client.get(f"{API}/units/{tree.jaipur.pk}/counts/").data["counts"]["verified"] == 12345


def test_children_counts_are_paged_with_pinned_queries(tree, cast, members):
    client = api(cast.state_admin)
    response = client.get(f"{API}/units/{tree.amer.pk}/children/")
    assert response.status_code == 200 and response.data["count"] == 2
    by_unit = {row["unit"]["id"]: row["counts"] for row in response.data["results"]}
    assert by_unit[tree.booth1.pk]["verified"] == 1 and by_unit[tree.booth2.pk]["pending"] == 1
    assert by_unit[tree.booth1.pk]["booths"] == 1
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{API}/units/{tree.rajasthan.pk}/children/").status_code == 200
    # the unit, count, page, its member counters, its booth counts (the roles were read by the first request)
    assert len(captured.captured_queries) == 5, [q["sql"] for q in captured.captured_queries]


def test_leaderboards_rank_units_per_booth_and_referrers(tree, cast, members, referral):
    client = api(cast.state_admin)
    response = client.get(f"{API}/units/{tree.rajasthan.pk}/leaderboard/", {"level": "district"})
    assert response.status_code == 200, response.data
    assert response.data["level"]["code"] == "district"
    assert [row["rank"] for row in response.data["units"]] == [1, 2]
    assert response.data["referrers"][0]["code"] == referral.code
    assert response.data["referrers"][0]["verified_count"] == 1
    with translation.override("hi"):
        bad = api(cast.state_admin, "hi").get(f"{API}/units/{tree.rajasthan.pk}/leaderboard/", {"level": "planet"})
    assert bad.status_code == 400 and first_message(bad.data)
    jaipur = api(cast.district_admin).get(f"{API}/units/{tree.jaipur.pk}/leaderboard/")
    assert jaipur.status_code == 200 and all(r["unit"]["id"] != tree.ajmer.pk for r in jaipur.data["units"])


# ---------------------------------------------------------------- sheet imports


def sheet(text: str, name: str = "forms.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_sheet_is_imported_and_its_status_read(tree, cast, django_capture_on_commit_callbacks):
    client = api(cast.district_admin)
    content = f"name,mobile,age\nKamla Devi,{next_mobile()[3:]},44\nToo Young,{next_mobile()[3:]},12\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/import-jobs/", {"unit": tree.booth1.pk, "file": sheet(content)}, format="multipart"
        )
    assert response.status_code == 201, response.data
    job = client.get(f"{API}/import-jobs/{response.data['id']}/")
    assert job.status_code == 200 and job.data["status"] == "imported"
    assert job.data["entered"] == 1 and job.data["rows"] == 2 and job.data["errors"][0]["row"] == 3
    assert Member.objects.get().source == "sheet"
    assert api(cast.sibling_admin).get(f"{API}/import-jobs/{response.data['id']}/").status_code == 404
    assert api(cast.viewer).get(f"{API}/import-jobs/{response.data['id']}/").status_code == 403


def test_bad_uploads_are_refused_and_nothing_is_kept(tree, cast):
    client = api(cast.district_admin, "hi")
    with translation.override("hi"):
        none = client.post(f"{API}/import-jobs/", {"unit": tree.booth1.pk}, format="multipart")
        empty = client.post(f"{API}/import-jobs/", {"unit": tree.booth1.pk, "file": sheet("")}, format="multipart")
        big = client.post(
            f"{API}/import-jobs/",
            {"unit": tree.booth1.pk, "file": sheet("x" * (5 * 1024 * 1024 + 1))},
            format="multipart",
        )
    assert none.status_code == empty.status_code == big.status_code == 400
    assert "फ़ाइल" in first_message(none.data) and "5 MB" in first_message(big.data)
    sibling = api(cast.sibling_admin).post(
        f"{API}/import-jobs/", {"unit": tree.booth1.pk, "file": sheet("name\n")}, format="multipart"
    )
    viewer = api(cast.viewer).post(
        f"{API}/import-jobs/", {"unit": tree.booth1.pk, "file": sheet("name\n")}, format="multipart"
    )
    assert sibling.status_code == 400 and viewer.status_code == 403
    assert not MemberImport.objects.exists()


# ---------------------------------------------------------------- the schema


def test_the_schema_describes_the_membership_api_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = [w for w in GENERATOR_STATS._warn_cache if "membership" in w]
    assert not ours, ours
    for path in (
        "/api/v1/membership/members/",
        "/api/v1/membership/members/{id}/review/",
        "/api/v1/membership/duplicates/{id}/decide/",
        "/api/v1/membership/units/{unit_id}/counts/",
        "/api/v1/membership/units/{unit_id}/leaderboard/",
        "/api/v1/membership/import-jobs/",
    ):
        assert path in schema["paths"], sorted(schema["paths"])
    assert "multipart/form-data" in schema["paths"]["/api/v1/membership/import-jobs/"]["post"]["requestBody"]["content"]
