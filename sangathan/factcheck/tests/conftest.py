"""Shared fixtures of the factcheck tests: fresh in-memory indexes, two claims, a clean rate-limit cache, the
desk's people and claims, and the personal links an office-bearer reports a rumour from."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from sangathan.access.models import Role, RoleAssignment
from sangathan.factcheck import clusters, desk, matching
from sangathan.factcheck.services import claim_create
from sangathan.factcheck.tests.samples import EVM_HI, NOTES_EN, NOTES_HI
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Position
from sangathan.org.tests.factories import PersonFactory, UserFactory
from sangathan.testing import message_sent_to_booths

BEARER_MOBILE = "+919414012345"


@pytest.fixture
def fresh_indexes():
    """The indexes live per process: a test's rolled-back rows must not stay in them."""
    matching.forget_index()
    clusters.forget_cluster_index()
    cache.clear()
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


@pytest.fixture
def claims(db, fresh_indexes):
    return {
        "notes": claim_create(external_id="notes-2000", texts={"hi": NOTES_HI, "en": NOTES_EN}),
        "evm": claim_create(external_id="evm-hacked", texts={"hi": EVM_HI}),
    }


# ---------------------------------------------------------------- the desk (test_desk, test_publish, test_answer)


@pytest.fixture
def checkers(cast, tree):
    """A fact-checker of Jaipur, one of Ajmer (the sibling district) and the state control room."""

    def user(name, unit, role, **fields):
        made = UserFactory(username=name, **fields)
        RoleAssignment.objects.create(user=made, unit=unit, role=role)
        return made

    return SimpleNamespace(
        jaipur=user("checker_jaipur", tree.jaipur, Role.FACT_CHECKER),
        ajmer=user("checker_ajmer", tree.ajmer, Role.FACT_CHECKER),
        control_room=user("control_room", tree.rajasthan, Role.CONTROL_ROOM, email="room@example.org"),
    )


@pytest.fixture
def open_claim(checkers, tree, fresh_indexes):
    """A claim of Jaipur's desk, new."""

    def make(unit=None, by=None, hi=NOTES_HI, en=NOTES_EN, **kwargs):
        return desk.claim_open(unit=unit or tree.jaipur, texts={"hi": hi, "en": en}, by=by or checkers.jaipur, **kwargs)

    return make


@pytest.fixture
def verdict_claim(open_claim, checkers):
    """A claim of Jaipur's desk taken up to its verdict (false) with a rebuttal: one step from published;
    ``links``: (url, kind, title) added on the way."""

    def make(links=(), **kwargs):
        claim = open_claim(**kwargs)
        by = checkers.jaipur
        for url, kind, title in links:
            desk.claim_link_add(claim=claim, url=url, kind=kind, title=title, by=by)
        desk.claim_edit(
            claim=claim,
            by=by,
            rebuttal={
                "rebuttal_hi": "₹2000 के नोट बंद नहीं हुए हैं। रिज़र्व बैंक ने ऐसी कोई घोषणा नहीं की है।",
                "rebuttal_en": "₹2000 notes have not been banned. The Reserve Bank announced nothing of the kind.",
                "rebuttal_whatsapp": "❌ झूठ: ₹2000 के नोट बंद नहीं हुए।",
                "rebuttal_x": "FALSE: ₹2000 notes are not banned from tomorrow.",
                "rebuttal_facebook": "Fact-check: ₹2000 notes are not banned.",
            },
        )
        for step in ("triage", "verifying"):
            desk.claim_transition(claim=claim, to=step, by=by)
        return desk.claim_transition(claim=claim, to="verdict", verdict="false", by=by)

    return make


@pytest.fixture
def published_claim(verdict_claim, checkers):
    """A claim of Jaipur's desk taken through the whole workflow: verdict false, rebuttal, published;
    ``links``: (url, kind, title) added before it is published (a published claim is final)."""

    def make(links=(), **kwargs):
        return desk.claim_transition(claim=verdict_claim(links, **kwargs), to="published", by=checkers.jaipur)

    return make


# ---------------------------------------------------------------- personal links (test_reported, test_api_reporter)


@pytest.fixture
def sent(tree, cast, django_capture_on_commit_callbacks):
    """A message from Jaipur down to its booths, sent: one delivery (a cascade link) per unit below."""
    return message_sent_to_booths(tree, cast, django_capture_on_commit_callbacks)


@pytest.fixture
def bearer(tree):
    """The key office-bearer of booth 1 (appointed on 1 Jan, mobile ``BEARER_MOBILE``): the daily report link's."""
    unit = tree.booth1
    appointment = org_services.appointment_create(
        unit=unit,
        position=Position.objects.get(level=unit.level, is_key=True),
        person=PersonFactory(name_en="Booth In-charge", name_hi="बूथ प्रभारी", mobile=BEARER_MOBILE),
        start_date=datetime.date(2026, 1, 1),
    )
    return Appointment.objects.select_related("position").get(pk=appointment.pk)
