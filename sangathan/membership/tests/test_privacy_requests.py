"""Members' data requests through the privacy app (``membership.privacy_subject`` registered with
``privacy.subjects``): copy, correction and withdrawal with erasure on the public privacy pages with the ticket
issued on /join/me/ after the code to the member's own number; the privacy officer of the member's district
sees and handles them, a sibling district's does not; erasure keeps the counts consistent. Attacks: a ticket
aimed at another member's id with one's own code, a code asked for someone else's number and never typed
back, a forged ticket, a replayed ticket after erasure."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from sangathan.membership import counters
from sangathan.membership.models import Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join
from sangathan.membership.views_me import SESSION_KEY
from sangathan.privacy.models import DataRequest
from sangathan.privacy.public import subject_ticket_for
from sangathan.testing import sent_code
from sangathan.verification.models import MobileChallenge

pytestmark = pytest.mark.django_db

ME = "/join/me/"
TICKET = re.compile(r'name="ticket" value="([^"]+)"')


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def proven_ticket(client, mobile: str) -> str:
    """Prove ``mobile`` on /join/me/ (the code from the outbox typed back) and read the privacy ticket."""
    client.post(ME, {"step": "ask", "mobile": mobile})
    client.post(ME, {"step": "code", "code": sent_code(mobile)})
    page = client.get(reverse("membership_public:me_data")).content.decode()
    return TICKET.search(page).group(1)


def test_copy_and_correction_reach_the_districts_privacy_officer_only(client, tree, cast):
    member = join(tree.booth1, name="Seema Meena", verify=True, epic="RJX1234567")
    ticket = proven_ticket(client, member.mobile)

    copy = client.post(reverse("privacy:my_json"), {"ticket": ticket})
    assert copy.status_code == 200 and "no-store" in copy["Cache-Control"]
    assert '"mobile": "' + member.mobile + '"' in copy.content.decode()
    done = DataRequest.objects.get(kind="access")
    assert (done.subject_kind, done.subject_id, done.unit_id, done.status) == (
        "member",
        member.pk,
        tree.booth1.pk,
        "done",
    )
    assert client.post(reverse("privacy:my_pdf"), {"ticket": ticket})["Content-Type"] == "application/pdf"

    answer = client.post(reverse("privacy:correct"), {"ticket": ticket, "details": "My age is 31, not 30."})
    assert answer.status_code == 200 and "Request received" in answer.content.decode()
    correction = DataRequest.objects.get(kind="correction")
    assert correction.status == "open" and correction.details == "My age is 31, not 30."
    # Empty details: a clear message, nothing recorded.
    assert client.post(reverse("privacy:correct"), {"ticket": ticket, "details": " "}).status_code == 400
    assert DataRequest.objects.filter(kind="correction").count() == 1

    client.force_login(cast.district_admin)
    assert "S. M." in client.get(reverse("privacy:request", args=[correction.pk])).content.decode()
    listing = client.get(reverse("privacy:requests"))
    assert correction.pk in [r.pk for r in listing.context["page"]]
    assert f"Member #{member.pk}" in listing.content.decode() and member.name not in listing.content.decode()
    assert client.get(reverse("privacy:request_json", args=[done.pk])).status_code == 200
    client.post(reverse("privacy:resolve", args=[correction.pk]), {"outcome": "done", "note": "age corrected"})
    assert DataRequest.objects.get(pk=correction.pk).status == "done"

    client.force_login(cast.sibling_admin)
    assert client.get(reverse("privacy:request", args=[done.pk])).status_code == 404
    assert client.get(reverse("privacy:request_json", args=[done.pk])).status_code == 404
    assert not list(client.get(reverse("privacy:requests")).context["page"])
    assert (
        client.post(reverse("privacy:resolve", args=[done.pk]), {"outcome": "refused", "note": "x"}).status_code == 404
    )


def test_erasure_ends_the_membership_and_keeps_the_counts_consistent(client, tree, referral):
    member = join(tree.booth1, verify=True, referral=referral)
    other = join(tree.booth1, verify=True)
    assert counts_for_unit(tree.rajasthan).verified == 2
    ticket = proven_ticket(client, member.mobile)

    ask = client.post(reverse("privacy:erase"), {"ticket": ticket, "step": "ask"})
    assert ask.status_code == 200 and "your membership will end" in ask.content.decode()
    unticked = client.post(reverse("privacy:erase"), {"ticket": ticket})
    assert unticked.status_code == 400 and Member.objects.get(pk=member.pk).status == "verified"

    answer = client.post(reverse("privacy:erase"), {"ticket": ticket, "confirm": "on"})
    assert answer.status_code == 200 and "your data has been erased" in answer.content.decode()
    erased = Member.objects.get(pk=member.pk)
    assert erased.status == "revoked" and erased.mobile.startswith("erased-") and erased.epic == ""
    request = DataRequest.objects.get(kind="erasure")
    assert request.status == "done" and request.subject_id == member.pk
    # Counted down once, everywhere: the counters equal a count of the rows; the referrer's count too.
    for unit in (tree.booth1, tree.jaipur, tree.rajasthan):
        assert (counts_for_unit(unit).verified, counts_for_unit(unit).pending) == counters.naive_counts(unit)
    assert counts_for_unit(tree.rajasthan).verified == 1
    referral.refresh_from_db()
    assert referral.verified_count == 0
    # The same ticket again (a double click, a replay): refused, nothing changes.
    assert client.post(reverse("privacy:erase"), {"ticket": ticket, "confirm": "on"}).status_code == 400
    assert client.post(reverse("privacy:my_json"), {"ticket": ticket}).status_code == 400
    assert DataRequest.objects.filter(kind="erasure").count() == 1
    assert Member.objects.get(pk=other.pk).status == "verified"


def test_someone_elses_number_is_refused_without_the_code_to_it(client, tree):
    victim = join(tree.booth1, name="Victim Person", verify=True)
    attacker = join(tree.booth2, name="Attacker Person", verify=True)
    own_ticket = proven_ticket(client, attacker.mobile)
    own_challenge = client.session[SESSION_KEY]["c"]

    # 1. The attacker's own confirmed code, the ticket aimed at the victim's membership.
    aimed = subject_ticket_for(kind="member", subject_id=victim.pk, challenge_id=own_challenge)
    # 2. A code asked for the victim's number (sent to the victim), never typed back.
    client.post(ME, {"step": "ask", "mobile": victim.mobile})
    unconfirmed = MobileChallenge.objects.filter(mobile=victim.mobile, confirmed_at__isnull=True).latest("pk")
    asked = subject_ticket_for(kind="member", subject_id=victim.pk, challenge_id=unconfirmed.pk)
    # 3. A forged ticket.
    forged = own_ticket[:-4] + ("AAAA" if not own_ticket.endswith("AAAA") else "BBBB")
    for ticket in (aimed, asked, forged, "", "x" * 600):
        assert client.post(reverse("privacy:my_json"), {"ticket": ticket}).status_code == 400
        assert (
            client.post(reverse("privacy:correct"), {"ticket": ticket, "details": "change the name"}).status_code == 400
        )
        assert client.post(reverse("privacy:erase"), {"ticket": ticket, "confirm": "on"}).status_code == 400
    assert not DataRequest.objects.filter(subject_id=victim.pk).exists()
    assert Member.objects.get(pk=victim.pk).status == "verified"
    # The attacker's own ticket still works for the attacker's own data only.
    copy = client.post(reverse("privacy:my_json"), {"ticket": own_ticket})
    assert copy.status_code == 200 and victim.mobile not in copy.content.decode()


# ---------------------------------------------------------------- staff, on a member's behalf (/privacy/new/)


def staff_request(client, **values):
    return client.post(reverse("privacy:new"), {"who": "member", "kind": "access", "details": "", **values})


def test_staff_record_a_members_request_in_their_area_only(client, tree, cast):
    """A member without a phone of their own asks at the district office: the district's admin finds them by
    number and records the request; a sibling district's admin finds nobody, and nothing is recorded."""
    member = join(tree.booth1, name="Seema Meena", verify=True)
    client.force_login(cast.sibling_admin)
    refused = staff_request(client, subject=member.mobile, kind="correction", details="Age 31")
    assert refused.status_code == 200 and "Nobody with this mobile number in your area." in refused.content.decode()
    assert not DataRequest.objects.exists()

    client.force_login(cast.district_admin)
    page = client.get(reverse("privacy:new")).content.decode()
    assert 'value="member"' in page  # the registered kind is offered
    answer = staff_request(client, subject=member.mobile[3:], kind="correction", details="Age 31, not 30.")
    correction = DataRequest.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("privacy:request", args=[correction.pk])
    assert (correction.subject_kind, correction.subject_id, correction.via, correction.raised_by_id) == (
        "member",
        member.pk,
        "staff",
        cast.district_admin.pk,
    )
    assert correction.unit_id == tree.booth1.pk and correction.status == "open"
    # Bad input changes nothing: no number, a malformed one, an unknown one, a correction without details.
    for values in (
        {"subject": ""},
        {"subject": "98-not-a-number"},
        {"subject": "+919000000001"},
        {"subject": member.mobile, "kind": "correction", "details": " "},
        {"subject": member.mobile, "kind": "nonsense"},
    ):
        assert staff_request(client, **values).status_code == 200, values
    assert DataRequest.objects.count() == 1


def test_staff_erasure_on_a_members_behalf_takes_them_out_of_the_counts_once(client, tree, cast):
    member = join(tree.booth1, name="Seema Meena", verify=True)
    before = counts_for_unit(tree.jaipur)
    client.force_login(cast.district_admin)
    assert staff_request(client, subject=member.mobile, kind="erasure").status_code == 302
    erased = Member.objects.get(pk=member.pk)
    assert erased.status == "revoked" and erased.mobile != member.mobile
    assert counts_for_unit(tree.jaipur).verified == before.verified - 1
    after = counts_for_unit(tree.jaipur)
    assert counters.naive_counts(tree.jaipur) == (after.verified, after.pending)
    # Asked again: the member is gone, nobody is found, nothing changes.
    assert (
        "Nobody with this mobile number"
        in staff_request(client, subject=member.mobile, kind="erasure").content.decode()
    )
    assert DataRequest.objects.filter(kind="erasure").count() == 1
