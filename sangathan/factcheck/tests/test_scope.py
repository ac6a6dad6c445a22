"""Scope of claims: a district desk's claim is seen in its subtree and not by the sibling district; a claim of
no unit (the national desk's, an imported archive) by everyone who may view claims somewhere
(``ScopeRule.shared``)."""

import pytest
from django.db import IntegrityError, transaction

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.factcheck.models import Claim, ClaimText
from sangathan.factcheck.services import claim_create
from sangathan.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(tree, cast):
    return {
        "jaipur": claim_create(external_id="jaipur-1", texts={"hi": "जयपुर में कल से बाज़ार बंद"}, unit=tree.jaipur),
        "ajmer": claim_create(external_id="ajmer-1", texts={"hi": "अजमेर में कल से बाज़ार बंद"}, unit=tree.ajmer),
        "national": claim_create(external_id="nat-1", texts={"en": "2000 rupee notes banned from tomorrow"}),
    }


def ids(queryset) -> set[str]:
    return set(queryset.values_list("external_id", flat=True))


def test_a_district_sees_its_claims_and_the_national_ones_not_the_siblings(claims, cast):
    assert ids(Claim.objects.restrict(cast.district_admin, "view")) == {"jaipur-1", "nat-1"}
    assert ids(Claim.objects.restrict(cast.sibling_admin, "view")) == {"ajmer-1", "nat-1"}
    assert set(ClaimText.objects.restrict(cast.sibling_admin, "view").values_list("claim__external_id", flat=True)) == {
        "ajmer-1",
        "nat-1",
    }
    assert "ajmer-1" not in ids(Claim.objects.restrict(cast.district_admin, "view"))
    assert "jaipur-1" not in ids(Claim.objects.restrict(cast.sibling_admin, "view"))
    texts = ClaimText.objects.restrict(cast.sibling_admin, "view")
    assert set(texts.values_list("claim__external_id", flat=True)) & {"jaipur-1"} == set()


def test_the_state_sees_both_districts(claims, cast):
    assert ids(Claim.objects.restrict(cast.state_admin, "view")) >= {"jaipur-1", "ajmer-1"}


def test_a_claim_of_no_unit_is_seen_by_a_whole_tree_scope(claims, tree):
    national = UserFactory(username="national_admin")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.NATIONAL_ADMIN)
    assert ids(Claim.objects.restrict(national, "view")) == {"jaipur-1", "ajmer-1", "nat-1"}
    assert set(ClaimText.objects.restrict(national, "view").values_list("claim__external_id", flat=True)) == {
        "jaipur-1",
        "ajmer-1",
        "nat-1",
    }


def test_someone_without_a_role_sees_no_claim(claims, cast):
    assert not Claim.objects.restrict(cast.outsider, "view").exists()
    assert not ClaimText.objects.restrict(cast.outsider, "view").exists()


def test_claims_are_audited_in_their_unit(claims, tree):
    entry = AuditEntry.objects.filter(object_pk=str(claims["jaipur"].pk), content_type__model="claim").get()
    assert entry.unit_path == tree.jaipur.path
    text = claims["jaipur"].texts.get()
    assert AuditEntry.objects.filter(object_pk=str(text.pk), content_type__model="claimtext").get().unit_path == (
        tree.jaipur.path
    )
    national = AuditEntry.objects.filter(object_pk=str(claims["national"].pk), content_type__model="claim").get()
    assert national.unit_path == ""


def test_the_database_refuses_a_second_text_in_one_language(claims):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimText.objects.create(claim=claims["national"], language="en", text="again", key="again")


def test_the_database_refuses_an_unknown_language_or_an_empty_text(claims):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimText.objects.create(claim=claims["national"], language="fr", text="texte", key="tekst")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimText.objects.create(claim=claims["national"], language="hi", text="", key="")


def test_the_database_refuses_a_duplicate_or_empty_reference(claims):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(external_id="nat-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(external_id="")
