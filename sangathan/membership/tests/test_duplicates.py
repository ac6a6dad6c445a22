"""Likely duplicates: the same folded name at the same booth (and the same relative's name where both give
one) queue a case; merge keeps the chosen member, revokes the other as a duplicate (counts down, audited)
and copies what only it knew; keep both closes the case; scope (a sibling district neither sees nor
decides); bad decisions change nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from sangathan.audit.models import AuditEntry
from sangathan.membership import duplicates, merging, services
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import DuplicateCase, Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


def enter(tree, by, *, unit=None, **fields) -> Member:
    data = {"name": "Kamla Devi", "mobile": next_mobile(), "age": 44, **fields}
    return services.member_enter(unit=unit or tree.booth1, by=by, **data)


def test_names_are_folded_for_comparison():
    assert duplicates.name_key("  Ram   KUMAR. ") == duplicates.name_key("ram kumar") == "ram kumar"
    assert duplicates.name_key("ज़ाकिर") == duplicates.name_key("जाकिर")
    assert duplicates.name_key("चाँद") == duplicates.name_key("चांद")
    assert duplicates.name_key("R. Kumar") != duplicates.name_key("Ram Kumar")


def test_same_name_same_booth_is_queued_but_not_elsewhere_or_with_another_relative(tree, cast):
    first = join(tree.booth1, name="Kamla Devi", verify=True)
    second = enter(tree, cast.district_admin, name="kamla  devi.", relative_name="Mohan Lal")
    assert list(DuplicateCase.objects.values_list("member", "other")) == [(second.pk, first.pk)]
    enter(tree, cast.district_admin, name="Kamla Devi", unit=tree.booth2)  # another booth
    enter(tree, cast.district_admin, name="Kamla Devi", relative_name="Shyam Lal")  # another relative than second
    assert DuplicateCase.objects.filter(member__relative_name="Shyam Lal").count() == 1  # only against `first`
    assert DuplicateCase.objects.count() == 2


def test_merge_keeps_one_revokes_the_other_and_copies_what_it_knew(tree, cast):
    kept = join(tree.booth1, name="Kamla Devi", verify=True)
    other = join(tree.booth1, name="Kamla Devi", verify=True, epic="RJX7654321", gender="female")
    case = DuplicateCase.objects.get()
    assert counts_for_unit(tree.india).verified == 2
    merging.duplicate_decide(case=case, decision=merging.KEEP_OTHER, by=cast.district_admin)
    case.refresh_from_db()
    kept.refresh_from_db()
    other.refresh_from_db()
    assert case.status == "merged" and case.kept == kept and case.decided_by == cast.district_admin
    assert other.status == "revoked" and other.revoked_via == "duplicate"
    assert kept.epic == "RJX7654321" and kept.gender == "female" and kept.status == "verified"
    assert counts_for_unit(tree.india).verified == 1
    kind = ContentType.objects.get_for_model(DuplicateCase)
    assert AuditEntry.objects.filter(content_type=kind, object_pk=str(case.pk)).exists()
    merging.duplicate_decide(case=case, decision=merging.KEEP_BOTH, by=cast.district_admin)  # decided stays
    assert DuplicateCase.objects.get().status == "merged"


def test_keep_both_changes_no_member_and_a_bad_decision_changes_nothing(tree, cast):
    join(tree.booth1, name="Kamla Devi", verify=True)
    join(tree.booth1, name="Kamla Devi", verify=True)
    case = DuplicateCase.objects.get()
    with pytest.raises(MembershipError):
        merging.duplicate_decide(case=case, decision="delete_both", by=cast.district_admin)
    assert DuplicateCase.objects.get().status == "open"
    merging.duplicate_decide(case=case, decision=merging.KEEP_BOTH, by=cast.district_admin)
    assert DuplicateCase.objects.get().status == "kept"
    assert Member.objects.filter(status="verified").count() == 2


def test_a_pending_member_cannot_be_kept_over_a_verified_one(tree, cast):
    join(tree.booth1, name="Kamla Devi", verify=True)
    join(tree.booth1, name="Kamla Devi")
    case = DuplicateCase.objects.get()
    with pytest.raises(MembershipError):
        merging.duplicate_decide(case=case, decision=merging.KEEP_MEMBER, by=cast.district_admin)
    assert Member.objects.filter(status="revoked").count() == 0


def test_the_queue_page_is_scoped_and_masks_numbers(client, cast, tree):
    first = join(tree.booth1, name="Kamla Devi", verify=True)
    join(tree.booth1, name="Kamla Devi", verify=True)
    case = DuplicateCase.objects.get()
    sibling = log_in(client, cast.sibling_admin)
    assert sibling.get(reverse("membership:duplicates", args=[tree.jaipur.pk])).status_code == 404
    decide = reverse("membership:duplicate_decide", args=[case.pk])
    assert sibling.post(decide, {"decision": "keep_member"}).status_code == 404
    assert DuplicateCase.objects.get().status == "open"
    ajmer = sibling.get(reverse("membership:duplicates", args=[tree.ajmer.pk])).content.decode()
    assert "Kamla Devi" not in ajmer
    admin = log_in(client, cast.district_admin)
    html = admin.get(reverse("membership:duplicates", args=[tree.jaipur.pk])).content.decode()
    assert html.count("Kamla Devi") >= 2 and first.mobile[3:] not in html.replace(" ", "")
    response = admin.post(decide, {"decision": "keep_both", "unit": tree.jaipur.pk})
    assert response.status_code == 302 and DuplicateCase.objects.get().status == "kept"


def test_the_paper_form_takes_the_relatives_name(client, cast, tree):
    client = log_in(client, cast.district_admin)
    data = {"name": "Kamla Devi", "mobile": next_mobile()[3:], "age": "44", "relative_name": "Mohan  Lal"}
    client.post(reverse("membership:paper", args=[tree.booth1.pk]), data)
    assert Member.objects.get().relative_name == "Mohan Lal"
