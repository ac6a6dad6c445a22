"""The scan of existing members for likely duplicates (``membership.scan``, ``sangathan membership-duplicates``):
each rule finds its pairs with one grouped query, puts them on the review queue at the nearest unit above
both members, and a second scan adds nothing; a pair kept apart (in either order) is never raised again;
revoked members and oversized groups are left out; ``--unit`` keeps to a subtree."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.core.daily import jobs
from sangathan.membership import duplicates, merging, scan, services
from sangathan.membership.models import DuplicateCase, Member

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def existing(unit, name="Kamla Devi", *, relative="", age=40, epic="", status="verified") -> Member:
    """A member row as an old import left it: written straight to the table, no duplicate check run."""
    now = timezone.now()
    return Member.objects.create(
        unit=unit,
        name=name,
        name_key=duplicates.name_key(name),
        relative_name=relative,
        mobile=f"+9197{11 * next(_numbers):08d}",
        age=age,
        epic=epic,
        status=status,
        verified_at=None if status == "pending" else now,
        revoked_at=now if status == "revoked" else None,
        revoked_via="admin" if status == "revoked" else "",
        notice=services.notice_current(),
        consent_at=now,
    )


def pairs() -> set[tuple[int, int, str, int]]:
    return set(DuplicateCase.objects.values_list("member", "other", "rule", "unit"))


def test_same_name_at_a_booth_is_queued_once_and_a_second_scan_adds_nothing(tree):
    first = existing(tree.booth1, "Kamla Devi", relative="Mohan Lal")
    second = existing(tree.booth1, "kamla  devi.")  # no relative's name: cannot tell them apart
    existing(tree.booth1, "Kamla Devi", relative="Shyam Lal")  # another relative than `first`: pairs with second
    existing(tree.booth2, "Kamla Devi", relative="Ram Lal")  # another booth, another relative: nobody's pair
    result = scan.duplicates_scan()
    third = Member.objects.get(relative_name="Shyam Lal")
    assert pairs() == {
        (second.pk, first.pk, "name_booth", tree.booth1.pk),
        (third.pk, second.pk, "name_booth", tree.booth1.pk),
    }
    assert result.created == {"name_booth": 2, "epic": 0, "name_rel_age": 0}
    again = scan.duplicates_scan()
    assert again.total == 0 and again.known == 2 and DuplicateCase.objects.count() == 2


def test_one_voter_id_on_two_rows_is_queued_at_the_unit_above_both(tree):
    proven = existing(tree.booth1, "Suresh", epic="RJX1234567")
    squatter = existing(tree.booth2, "Ramesh", epic="RJX1234567", status="pending")
    existing(tree.booth2, "Mahesh", epic="RJX7654321")
    scan.duplicates_scan()
    assert pairs() == {(squatter.pk, proven.pk, "epic", tree.amer.pk)}


def test_same_name_relative_and_age_at_two_booths_or_two_districts(tree):
    a = existing(tree.booth1, "Geeta Sharma", relative="Om Prakash", age=52)
    b = existing(tree.booth2, "Geeta  Sharma", relative="Om Prakash", age=52)
    existing(tree.booth2, "Geeta Sharma", relative="Om Prakash", age=25)  # another age: her daughter-in-law?
    existing(tree.booth2, "Geeta Sharma", age=52)  # no relative's name: not enough across booths
    far = existing(tree.ajmer, "Geeta Sharma", relative="Om Prakash", age=52)
    scan.duplicates_scan(root=tree.jaipur)  # --unit: only inside Jaipur
    assert {(m, o, r) for m, o, r, _u in pairs() if r == "name_rel_age"} == {(b.pk, a.pk, "name_rel_age")}
    assert DuplicateCase.objects.get(rule="name_rel_age").unit == tree.amer
    scan.duplicates_scan()
    across = DuplicateCase.objects.filter(rule="name_rel_age", member=far)
    assert {case.unit for case in across} == {tree.rajasthan}
    assert {case.other_id for case in across} == {a.pk, b.pk}


def test_a_pair_kept_apart_or_queued_the_other_way_round_is_not_raised_again(tree, cast):
    a = existing(tree.booth1, "Kamla Devi")
    b = existing(tree.booth1, "Kamla Devi")
    c = existing(tree.booth1, "Kamla Devi")
    # The writer's check queued (a, c) with the earlier row first: the scan must not add (c, a).
    DuplicateCase.objects.create(member=a, other=c, unit=tree.booth1)
    scan.duplicates_scan()
    case = DuplicateCase.objects.get(member=b, other=a)
    merging.duplicate_decide(case=case, decision=merging.KEEP_BOTH, by=cast.district_admin)
    before = pairs()
    assert len(before) == 3
    assert scan.duplicates_scan().total == 0
    assert pairs() == before
    assert DuplicateCase.objects.get(pk=case.pk).status == "kept"


def test_revoked_members_and_oversized_groups_are_left_out(tree, monkeypatch):
    existing(tree.booth1, "Kamla Devi")
    existing(tree.booth1, "Kamla Devi", status="revoked")
    monkeypatch.setattr(scan, "GROUP_MAX", 3)
    for _i in range(4):
        existing(tree.booth2, "NA")
    result = scan.duplicates_scan()
    assert result.total == 0 and result.skipped_groups == 1
    assert not DuplicateCase.objects.exists()


def test_the_queries_do_not_grow_with_the_members(tree):
    def queries() -> int:
        DuplicateCase.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            scan.duplicates_scan()
        return len(ctx.captured_queries)

    def one_pair_per_rule(i: int) -> None:
        existing(tree.booth1, f"Same {i}")
        existing(tree.booth1, f"Same {i}")
        existing(tree.booth1, f"Name {i}", epic=f"RJX{i:07d}")
        existing(tree.booth2, f"Alias {i}", epic=f"RJX{i:07d}", status="pending")
        existing(tree.booth2, f"Other {i}", relative="Mohan", age=40)
        existing(tree.ajmer_booth, f"Other {i}", relative="Mohan", age=40)

    one_pair_per_rule(0)
    few = queries()
    for i in range(1, 13):
        one_pair_per_rule(i)
    many = queries()
    assert DuplicateCase.objects.count() == 13 * 3
    assert many == few  # per rule: the grouped read, the queued pairs, the units, the insert, the count


def test_the_command_and_the_daily_job(tree):
    existing(tree.booth1, "Kamla Devi")
    existing(tree.booth1, "Kamla Devi")
    out, err = io.StringIO(), io.StringIO()
    call_command("membership_duplicates", "--unit", str(tree.jaipur.pk), stdout=out, stderr=err)
    assert "1 likely duplicates queued" in out.getvalue()
    assert "scan" in err.getvalue()  # the progress bar
    assert "membership-duplicates-scan" in [job.name for job in jobs()]
    assert scan.scan_daily() == {
        "name_booth": 0,
        "epic": 0,
        "name_rel_age": 0,
        "already_queued": 1,
        "groups_too_big": 0,
    }
    with pytest.raises(Exception, match="No unit"):
        call_command("membership_duplicates", "--unit", "999999", stdout=out, stderr=err)


def queued_entries():
    return AuditEntry.objects.filter(additional_data__bulk__startswith="duplicate_cases_queued:")


@pytest.mark.parametrize("scope", ["state", "everything"])
def test_each_rule_that_queues_cases_writes_one_audit_entry_with_their_ids(tree, scope):
    existing(tree.booth1, "Kamla Devi", relative="Mohan Lal")
    existing(tree.booth1, "kamla  devi.")
    existing(tree.booth2, "Sunita", epic="RJX7654321")
    existing(tree.booth1, "Sunita Kumari", epic="RJX7654321", status="pending")
    root = tree.rajasthan if scope == "state" else None
    scan.duplicates_scan(root=root)
    entries = {e.additional_data["bulk"]: e for e in queued_entries()}
    assert set(entries) == {"duplicate_cases_queued:name_booth", "duplicate_cases_queued:epic"}
    for what, entry in entries.items():
        ids = set(DuplicateCase.objects.filter(rule=what.split(":")[1]).values_list("pk", flat=True))
        assert ids and set(entry.additional_data["ids"]) == ids and entry.additional_data["count"] == len(ids)
        assert entry.additional_data["model"] == "membership.duplicatecase"
        assert entry.object_pk == str((root or tree.india).pk)  # the scanned subtree, or the top of the tree
    scan.duplicates_scan()  # nothing new: no new entry
    assert queued_entries().count() == 2
