"""The takeover found in testing (issue 11), step by step, as an attacker who knows only the victim's
mobile number would try it. Each step failed before mobile ownership was proven with a code."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.tests.factories import position
from sangathan.recruitment.models import Application, Submission
from sangathan.recruitment.tests.test_public import form_url, html_of, post_data
from sangathan.testing import status_check

pytestmark = pytest.mark.django_db

VICTIM = "98290 55555"
VICTIM_E164 = "+919829055555"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def victim(client, campaign, tree):
    """Seema applied from her own phone."""
    client.post(form_url(campaign), post_data(campaign, tree, mobile=VICTIM))
    return Application.objects.get(mobile=VICTIM_E164)


def attacker_form(campaign, tree, **overrides):
    return post_data(
        campaign,
        tree,
        mobile=VICTIM,
        name_hi="बदला हुआ नाम",
        name_en="Overwritten Name",
        statement="x" * 30,
        **overrides,
    )


def test_step1_a_form_with_the_victims_number_overwrites_nothing_and_reveals_nothing(client, campaign, tree, victim):
    page = html_of(client.post(form_url(campaign), attacker_form(campaign, tree)))
    victim_page = html_of(client.post(form_url(campaign), post_data(campaign, tree, mobile="98290 77777")))
    victim.refresh_from_db()
    assert victim.name_en == "Seema Meena" and victim.home_unit == tree.booth1
    # Not the victim's reference, and the same words as a first-time applicant's page.
    assert victim.reference not in page
    strip = re.compile(r'<p class="reference" id="reference">[^<]+</p>|name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", page) == strip.sub("", victim_page)


def test_step1_an_application_past_screening_never_moves(client, campaign, tree, victim):
    Application.objects.filter(pk=victim.pk).update(status=Application.Status.SCHEDULED)
    ajmer = {
        "district": str(tree.ajmer.pk),
        "district_q": "अजमेर",
        "assembly": str(tree.ajmer_ac.pk),
        "assembly_q": "99 · अजमेर दक्षिण",
        "booth": str(tree.ajmer_booth.pk),
        "booth_q": "1 · किशनगढ़ मंडी",
    }
    client.post(form_url(campaign), attacker_form(campaign, tree, **ajmer))
    held = Submission.objects.filter(held_at__isnull=False).get()
    # Even the real owner confirming cannot change it from the public form any more.
    page = html_of(status_check(client, reference=held.reference, mobile=VICTIM))
    victim.refresh_from_db()
    assert victim.name_en == "Seema Meena" and victim.status == "scheduled" and victim.home_unit == tree.booth1
    assert "कार्रवाई शुरू हो चुकी है" in page


def test_step2_the_status_page_wants_the_code_sent_to_the_victims_phone(client, campaign, tree, victim):
    client.post(form_url(campaign), attacker_form(campaign, tree))
    held = Submission.objects.filter(held_at__isnull=False).get()
    for reference in (held.reference, victim.reference):
        page = html_of(status_check(client, reference=reference, mobile=VICTIM, code="000000"))
        assert 'id="status-result"' not in page and "Seema" not in page and "सीमा" not in page
        assert 'name="ticket"' not in page
    # The code went to the victim's number only; the victim is also told that a form came with it.
    recipients = set(OutboxMessage.objects.filter(template="mobile_code").values_list("recipient", flat=True))
    assert recipients == {VICTIM_E164}
    assert OutboxMessage.objects.filter(template="application_held", recipient=VICTIM_E164).exists()


def test_step2_guessing_the_code_stops_after_five_tries(client, campaign, tree, victim):
    first = client.post(reverse("apply:status"), {"reference": victim.reference, "mobile": VICTIM})
    pending = re.search(r'name="pending" value="([^"]+)"', html_of(first)).group(1)
    pages = [
        html_of(client.post(reverse("apply:status"), {"step": "code", "pending": pending, "code": f"{n:06d}"}))
        for n in range(6)
    ]
    assert not any('id="status-result"' in page for page in pages)
    assert "नया कोड मँगाएँ" in pages[-1] and 'name="code"' not in pages[-1]


def test_steps3_and_4_the_data_copy_and_erasure_need_a_ticket_only_the_code_gives(client, campaign, tree, victim):
    page = html_of(status_check(client, reference=victim.reference, mobile=VICTIM, code="000000"))
    assert 'name="ticket"' not in page
    for name in ("my_json", "erase", "correct"):
        response = client.post(reverse(f"privacy:{name}"), {"ticket": "", "confirm": "on", "details": "x"})
        assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.name_en == "Seema Meena"


def test_the_owner_with_the_code_gets_a_copy_without_links_or_other_records(client, campaign, tree, victim):
    org_services.appointment_create_for_mobile(
        unit=tree.booth2, position=position("booth", "representative"), mobile=VICTIM, name_en="Seema Meena"
    )
    OutboxMessage.objects.create(
        channel="console",
        recipient=VICTIM_E164,
        template="outreach_message",
        body="Please share: http://testserver/m/signed-token-of-seema/",
        idempotency_key="outreach:test",
    )
    page = html_of(status_check(client, reference=victim.reference, mobile=VICTIM))
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    data = json.loads(client.post(reverse("privacy:my_json"), {"ticket": ticket}).content)
    text = json.dumps(data, ensure_ascii=False)
    assert data["applications"][0]["reference"] == victim.reference
    assert "person" not in data  # the office-bearer record is the organisation's to hand over, via its staff
    assert "/m/" not in text and "signed-token" not in text
    assert all(message["text"] != "" for message in data["messages"])


def test_a_form_the_database_refused_answers_try_again_not_500(client, campaign, tree, victim):
    submission = Submission.objects.get(application=victim)
    Submission.objects.filter(pk=submission.pk).update(application=None, processed_at=None, problem="refused")
    response = status_check(client, reference=submission.reference, mobile=VICTIM)
    assert response.status_code == 200 and 'id="status-result"' not in html_of(response)
    assert 'class="errors"' in html_of(response)
