"""The desk's workflow: every transition and the refused ones, assignment in scope, evidence, the SLA's
edges, escalation to the state control room exactly once, and the pages (a sibling district gets 404 and
changes nothing)."""

import datetime
import io
import threading

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from sangathan.access.models import RoleAssignment
from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.audit.models import AuditEntry
from sangathan.factcheck import desk, tasks
from sangathan.factcheck.desk import DESK
from sangathan.factcheck.models import Claim, ClaimFile, ClaimLink, Status, Verdict
from sangathan.factcheck.services import FactCheckError
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import api_client, log_in

pytestmark = pytest.mark.django_db

SLA = {"new": 2, "triage": 4, "verifying": 24, "verdict": 4}


@pytest.fixture(autouse=True)
def _sla(settings):
    settings.FACTCHECK_SLA_HOURS = dict(SLA)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def _state(claim) -> tuple:
    claim = Claim.objects.get(pk=claim.pk)
    return (claim.status, claim.verdict, claim.assigned_to_id, claim.rebuttal_hi, claim.links.count())


# ---------------------------------------------------------------- transitions


def test_every_step_of_the_workflow_is_a_service_with_its_audit(published_claim):
    claim = published_claim()
    assert claim.status == Status.PUBLISHED and claim.verdict == Verdict.FALSE and claim.published_at
    assert claim.status_since is not None
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Claim), object_pk=str(claim.pk)
    ).count()
    assert entries >= 6  # opened, rebuttal, triage, verifying, verdict, published


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("new", "published"),
        ("new", "verifying"),
        ("new", "verdict"),
        ("triage", "published"),
        ("triage", "new"),
        ("verifying", "published"),
        ("published", "verifying"),
        ("new", "nonsense"),
    ],
)
def test_an_invalid_transition_is_refused_with_a_clear_message(open_claim, checkers, start, to):
    claim = open_claim()
    Claim.objects.filter(pk=claim.pk).update(status=start, published_at=timezone.now())
    before = Claim.objects.get(pk=claim.pk)
    with translation.override("en"), pytest.raises(FactCheckError, match="cannot go from"):
        desk.claim_transition(claim=claim, to=to, by=checkers.jaipur, verdict="false")
    after = Claim.objects.get(pk=claim.pk)
    assert (after.status, after.status_since, after.verdict) == (before.status, before.status_since, before.verdict)


def test_going_back_for_more_checking_is_allowed(open_claim, checkers):
    claim = open_claim()
    by = checkers.jaipur
    for step in ("triage", "verifying"):
        desk.claim_transition(claim=claim, to=step, by=by)
    assert desk.claim_transition(claim=claim, to="triage", by=by).status == Status.TRIAGE
    desk.claim_transition(claim=claim, to="verifying", by=by)
    desk.claim_transition(claim=claim, to="verdict", by=by, verdict="misleading")
    assert desk.claim_transition(claim=claim, to="verifying", by=by).status == Status.VERIFYING


def test_a_verdict_needs_a_verdict_and_publishing_needs_a_rebuttal(open_claim, checkers):
    claim = open_claim()
    by = checkers.jaipur
    for step in ("triage", "verifying"):
        desk.claim_transition(claim=claim, to=step, by=by)
    with translation.override("en"), pytest.raises(FactCheckError, match="Choose a verdict"):
        desk.claim_transition(claim=claim, to="verdict", by=by, verdict="")
    assert Claim.objects.get(pk=claim.pk).status == Status.VERIFYING
    desk.claim_transition(claim=claim, to="verdict", by=by, verdict="false")
    with translation.override("hi"), pytest.raises(FactCheckError) as refused:
        desk.claim_transition(claim=claim, to="published", by=by)
    assert "खंडन" in str(refused.value)  # in Hindi
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == Status.VERDICT and claim.published_at is None


def test_the_sibling_district_and_a_viewer_cannot_move_a_claim(open_claim, checkers, cast):
    claim = open_claim()
    before = _state(claim)
    for user in (checkers.ajmer, cast.sibling_admin, cast.viewer, cast.outsider):
        with pytest.raises(FactCheckError):
            desk.claim_transition(claim=claim, to="triage", by=user)
        with pytest.raises(FactCheckError):
            desk.claim_edit(claim=claim, by=user, rebuttal={"rebuttal_hi": "x"})
    assert _state(claim) == before


def test_a_unit_admin_may_send_messages_but_not_publish_a_fact_check(client, verdict_claim, cast):
    """The district's in-charge holds ``send_messages`` at the claim's unit, not the desk's ``fact_check``:
    publishing is refused (403 on the page and the API, the service's refusal) and nothing changes."""
    claim = verdict_claim()
    before = _state(claim)
    assert can(cast.district_admin, SEND_MESSAGES, claim.unit) and not can(cast.district_admin, DESK, claim.unit)
    log_in(client, cast.district_admin)
    page = client.post(reverse("factcheck:claim_transition", args=[claim.pk]), {"to": "published"})
    assert page.status_code == 403
    api = api_client(cast.district_admin)
    assert api.post(f"/api/v1/factcheck/claims/{claim.pk}/publish/", format="json").status_code == 403
    with pytest.raises(FactCheckError):
        desk.claim_transition(claim=claim, to="published", by=cast.district_admin)
    claim = Claim.objects.get(pk=claim.pk)
    assert _state(claim) == before and claim.status == Status.VERDICT and claim.published_at is None


def test_the_claim_number_carries_the_day_in_india(checkers, tree, fresh_indexes):
    now = datetime.datetime(2026, 12, 7, 19, 0, tzinfo=datetime.UTC)  # 00:30 on 8 December in India
    claim = desk.claim_open(unit=tree.jaipur, texts={"hi": "कल से बैंक बंद"}, by=checkers.jaipur, now=now)
    assert claim.external_id.startswith("FC-20261208-") and claim.status_since == now
    assert desk.new_external_id(now=now - datetime.timedelta(hours=1)).startswith("FC-20261207-")  # 23:30 IST


def test_a_district_desk_cannot_open_a_claim_for_another_district(checkers, tree, fresh_indexes):
    with pytest.raises(FactCheckError):
        desk.claim_open(unit=tree.ajmer, texts={"hi": "कुछ भी"}, by=checkers.jaipur)
    assert not Claim.objects.exists()


# ---------------------------------------------------------------- assignment and evidence


def test_assignment_only_to_a_fact_checker_of_the_area(open_claim, checkers, cast):
    claim = open_claim()
    assert desk.claim_assign(claim=claim, assignee=checkers.jaipur, by=cast.state_admin).assigned_to == checkers.jaipur
    users = set(desk.desk_users(claim))
    assert users >= {checkers.jaipur, checkers.control_room, cast.state_admin}
    # The desk's action is its own: the district's in-charge sends messages but is not on the desk.
    assert not users & {checkers.ajmer, cast.viewer, cast.district_admin}
    with pytest.raises(FactCheckError):
        desk.claim_assign(claim=claim, assignee=checkers.ajmer, by=cast.state_admin)
    with pytest.raises(FactCheckError):
        desk.claim_assign(claim=claim, assignee=cast.district_admin, by=cast.state_admin)
    assert Claim.objects.get(pk=claim.pk).assigned_to == checkers.jaipur
    assert desk.claim_assign(claim=claim, assignee=None, by=checkers.jaipur).assigned_to is None


def test_evidence_links_once_and_files_checked_like_the_tipline(client, open_claim, checkers):
    claim = open_claim()
    log_in(client, checkers.jaipur)
    url = reverse("factcheck:claim_link_add", args=[claim.pk])
    for _ in range(2):
        client.post(url, {"url": "https://rbi.org.in/notice", "kind": "evidence", "title": "RBI"})
    client.post(url, {"url": "https://x.com/some/post", "kind": "appearance"})
    assert ClaimLink.objects.filter(claim=claim).count() == 2
    refused = client.post(url, {"url": "not a link", "kind": "evidence"}, follow=True)
    assert refused.status_code == 200 and "Enter a web address" in refused.content.decode()
    assert ClaimLink.objects.filter(claim=claim).count() == 2

    files = reverse("factcheck:claim_file_add", args=[claim.pk])
    fake = SimpleUploadedFile("proof.png", b"<?php echo 'not a picture'; ?>", content_type="image/png")
    page = client.post(files, {"file": fake}, follow=True)
    assert "is not a picture" in page.content.decode() and not ClaimFile.objects.exists()
    huge = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * settings.FACTCHECK_TIP_IMAGE_MAX_BYTES)
    client.post(files, {"file": huge})
    assert not ClaimFile.objects.exists()
    client.post(files, {"file": SimpleUploadedFile("proof.png", _png(), content_type="image/png")})
    client.post(files, {"file": SimpleUploadedFile("order.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert sorted(ClaimFile.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    # The files are read through the claim's page, never a public /media/ address (review finding 7).
    pdf = ClaimFile.objects.get(content_type="application/pdf")
    download = reverse("factcheck:claim_file", args=[claim.pk, pdf.pk])
    assert download in client.get(reverse("factcheck:claim", args=[claim.pk])).content.decode()
    answer = client.get(download)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert answer["Cache-Control"] == "private, no-store" and "attachment" in answer["Content-Disposition"]
    other = open_claim()
    assert client.get(reverse("factcheck:claim_file", args=[other.pk, pdf.pk])).status_code == 404


def test_the_x_variant_keeps_to_280_characters(client, open_claim, checkers):
    claim = open_claim()
    log_in(client, checkers.jaipur)
    response = client.post(
        reverse("factcheck:claim_edit", args=[claim.pk]),
        {"text_hi": "दावा", "text_en": "claim", "rebuttal_hi": "सच", "rebuttal_x": "x" * 281},
    )
    assert response.status_code == 400 and "280" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).rebuttal_hi == ""


# ---------------------------------------------------------------- SLA and escalation


def _aged(claim, status: str, hours: float, seconds: int = 0):
    since = timezone.now() - datetime.timedelta(hours=hours, seconds=seconds)
    Claim.objects.filter(pk=claim.pk).update(status=status, status_since=since)
    return Claim.objects.get(pk=claim.pk)


@pytest.mark.parametrize("status", ["new", "triage", "verifying", "verdict"])
def test_sla_edges_per_status(open_claim, status):
    claim = open_claim()
    hours = SLA[status]
    now = timezone.now()
    claim = _aged(claim, status, 0)
    assert desk.sla_of(claim, now=claim.status_since).state == "ok"
    due = claim.status_since + datetime.timedelta(hours=hours)
    assert desk.sla_of(claim, now=due).state == "soon"  # exactly at the limit: not yet overdue
    assert desk.sla_of(claim, now=due + datetime.timedelta(seconds=1)).state == "overdue"
    assert desk.sla_of(claim, now=due - datetime.timedelta(hours=hours / 4, seconds=1)).state == "ok"
    assert not desk.claims_overdue(now=due).filter(pk=claim.pk).exists()
    assert desk.claims_overdue(now=due + datetime.timedelta(seconds=1)).filter(pk=claim.pk).exists()
    assert now < due


def test_a_published_claim_is_final(published_claim, checkers):
    """Review finding: its texts, rebuttal and evidence could be rewritten after it went out."""
    claim = published_claim()
    link = ClaimLink.objects.filter(claim=claim).first()
    before = (
        claim.texts.get(language="hi").text,
        Claim.objects.get(pk=claim.pk).rebuttal_hi,
        ClaimLink.objects.count(),
    )
    upload = SimpleUploadedFile("e.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    with translation.override("en"):
        for attempt in (
            lambda: desk.claim_edit(claim=claim, by=checkers.jaipur, texts={"hi": "बदला हुआ दावा यहाँ"}),
            lambda: desk.claim_edit(claim=claim, by=checkers.jaipur, rebuttal={"rebuttal_hi": "बदला"}),
            lambda: desk.claim_link_add(claim=claim, url="https://example.org/x", by=checkers.jaipur),
            lambda: desk.claim_file_add(claim=claim, upload=upload, content_type="application/pdf", by=checkers.jaipur),
            *([lambda: desk.claim_link_remove(link=link, by=checkers.jaipur)] if link else []),
        ):
            with pytest.raises(FactCheckError, match="final"):
                attempt()
    after = (claim.texts.get(language="hi").text, Claim.objects.get(pk=claim.pk).rebuttal_hi, ClaimLink.objects.count())
    assert after == before and not ClaimFile.objects.filter(claim=claim).exists()


def test_a_published_claim_has_no_clock(published_claim):
    claim = published_claim()
    Claim.objects.filter(pk=claim.pk).update(status_since=timezone.now() - datetime.timedelta(days=30))
    claim = Claim.objects.get(pk=claim.pk)
    assert desk.sla_of(claim).state == "none" and not desk.claims_overdue().filter(pk=claim.pk).exists()


def test_an_overdue_district_claim_is_escalated_to_the_state_control_room_once(open_claim, checkers, tree, cast):
    late = _aged(open_claim(), "verifying", 24, seconds=5)
    in_time = _aged(open_claim(hi="दूसरा दावा ईवीएम के बारे में", en="another claim"), "verifying", 23)
    state_desk = _aged(open_claim(unit=tree.rajasthan, by=cast.state_admin), "new", 10)
    assert desk.claims_escalate() == 1
    assert desk.claims_escalate() == 0  # the sweep again: nothing more
    assert tasks.escalate_overdue() == 0  # the beat task is the same, idempotent
    late.refresh_from_db()
    assert late.escalated_at is not None and late.escalated_to == tree.rajasthan
    assert Claim.objects.get(pk=in_time.pk).escalated_at is None
    assert Claim.objects.get(pk=state_desk.pk).escalated_at is None  # already the state's own
    sent = OutboxMessage.objects.filter(template="factcheck_escalation")
    assert sent.count() == 1
    message = sent.get()
    assert message.channel == "email" and message.recipient == "room@example.org"
    assert late.external_id in message.body and "Jaipur" in message.body or "जयपुर" in message.body


def test_escalation_without_an_operator_still_reaches_the_state(open_claim, checkers):
    RoleAssignment.objects.filter(user=checkers.control_room).delete()
    late = _aged(open_claim(), "new", 3)
    assert desk.claims_escalate() == 1 and desk.claims_escalate() == 0
    assert OutboxMessage.objects.filter(template="factcheck_escalation").count() == 1
    assert Claim.objects.get(pk=late.pk).escalated_at is not None


def test_the_escalation_sweep_is_in_beat():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "sangathan.factcheck.tasks.escalate_overdue" in entries


# ---------------------------------------------------------------- pages


def test_the_list_shows_overdue_first_with_badges_and_filters(client, open_claim, checkers, tree):
    fresh = open_claim(hi="पहला दावा पानी के बारे में", en="first claim about water")
    late = _aged(open_claim(hi="दूसरा दावा बिजली के बारे में", en="second claim about power"), "triage", 5)
    log_in(client, checkers.jaipur)
    page = client.get(reverse("factcheck:claims")).content.decode()
    assert page.index(f'data-claim="{late.pk}"') < page.index(f'data-claim="{fresh.pk}"')
    assert "sla-overdue" in page and "sla-ok" in page
    only_new = client.get(reverse("factcheck:claims"), {"status": "new"}).content.decode()
    assert f'data-claim="{fresh.pk}"' in only_new and f'data-claim="{late.pk}"' not in only_new
    overdue = client.get(reverse("factcheck:claims"), {"overdue": "1"}).content.decode()
    assert f'data-claim="{late.pk}"' in overdue and f'data-claim="{fresh.pk}"' not in overdue
    assert client.get(reverse("factcheck:claims"), {"status": "bogus", "page": "x"}).status_code == 200


def test_the_sibling_district_sees_nothing_and_changes_nothing(client, open_claim, checkers, cast):
    claim = open_claim()
    before = _state(claim)
    log_in(client, checkers.ajmer)
    assert f'data-claim="{claim.pk}"' not in client.get(reverse("factcheck:claims")).content.decode()
    assert client.get(reverse("factcheck:claim", args=[claim.pk])).status_code == 404
    assert client.get(reverse("factcheck:claim_edit", args=[claim.pk])).status_code == 404
    posts = {
        "claim_transition": {"to": "triage"},
        "claim_assign": {"assignee": checkers.ajmer.pk},
        "claim_link_add": {"url": "https://example.org/", "kind": "evidence"},
        "claim_file_add": {},
        "claim_answer": {},
        "claim_edit": {"text_hi": "बदला", "rebuttal_hi": "बदला"},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"factcheck:{name}", args=[claim.pk]), data).status_code == 404, name
    assert _state(claim) == before


def test_the_whole_workflow_through_the_pages(client, checkers, tree, fresh_indexes):
    log_in(client, checkers.jaipur, "hi")
    form = client.get(reverse("factcheck:claim_new"))
    assert form.status_code == 200
    response = client.post(
        reverse("factcheck:claim_new"),
        {"unit": tree.jaipur.pk, "text_hi": "कल से पेट्रोल पंप बंद रहेंगे", "text_en": "Petrol pumps shut from tomorrow"},
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.unit == tree.jaipur and claim.texts.count() == 2
    move = reverse("factcheck:claim_transition", args=[claim.pk])
    client.post(move, {"to": "triage"})
    client.post(move, {"to": "verifying"})
    client.post(move, {"to": "verdict", "verdict": "false"})
    refused = client.post(move, {"to": "published"}, follow=True).content.decode()
    assert "खंडन" in refused and Claim.objects.get(pk=claim.pk).status == Status.VERDICT
    client.post(
        reverse("factcheck:claim_edit", args=[claim.pk]),
        {"text_hi": "कल से पेट्रोल पंप बंद रहेंगे", "rebuttal_hi": "पेट्रोल पंप खुले रहेंगे।", "rebuttal_x": "झूठ"},
    )
    client.post(move, {"to": "published"})
    claim.refresh_from_db()
    assert claim.status == Status.PUBLISHED and claim.rebuttal_x == "झूठ"
    detail = client.get(reverse("factcheck:claim", args=[claim.pk])).content.decode()
    assert reverse("factcheck_public:claim", args=[claim.pk, "hi"]) in detail
    bad = client.post(move, {"to": "nonsense"}, follow=True)
    assert bad.status_code == 200 and Claim.objects.get(pk=claim.pk).status == Status.PUBLISHED


def test_a_new_claim_with_no_text_is_refused(client, checkers, tree):
    log_in(client, checkers.jaipur)
    response = client.post(reverse("factcheck:claim_new"), {"unit": tree.jaipur.pk, "text_hi": " ", "text_en": ""})
    assert response.status_code == 400 and "Write the claim in Hindi or English" in response.content.decode()
    sibling = client.post(reverse("factcheck:claim_new"), {"unit": tree.ajmer.pk, "text_hi": "दावा"})
    assert sibling.status_code == 400 and not Claim.objects.exists()


def test_the_list_does_not_grow_queries_with_its_claims(client, open_claim, checkers):
    log_in(client, checkers.jaipur)
    for number in range(3):
        open_claim(hi=f"दावा नंबर {number} बिजली बिल माफ़", en=f"claim {number} power bills waived")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("factcheck:claims")).status_code == 200
    for number in range(3, 12):
        open_claim(hi=f"दावा नंबर {number} बिजली बिल माफ़", en=f"claim {number} power bills waived")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("factcheck:claims")).status_code == 200
    assert len(many) == len(few)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_a_claim_once(open_claim, checkers):
    """On PostgreSQL, two workers' sweeps at the same moment: the UPDATE that marks the claim decides."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (the tests' SQLite is one in-memory connection)")
    late = _aged(open_claim(), "verifying", 30)
    start = threading.Barrier(2)
    counts: list[int] = []

    def sweep():
        try:
            start.wait(timeout=10)
            counts.append(desk.claims_escalate())
        finally:
            connection.close()

    workers = [threading.Thread(target=sweep) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(counts) == [0, 1]
    assert OutboxMessage.objects.filter(template="factcheck_escalation").count() == 1
    assert Claim.objects.get(pk=late.pk).escalated_at is not None
