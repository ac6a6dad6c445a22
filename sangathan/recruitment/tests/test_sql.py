"""``recruitment.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sangathan.recruitment import sql
from sangathan.recruitment.models import Submission

pytestmark = pytest.mark.django_db


def insert(campaign, *, token, mobile="+919829012345", candidates=("RJ-2026-AAAA",)):
    return sql.submission_insert(
        token=token,
        campaign_id=campaign.pk,
        mobile=mobile,
        payload={"name_en": "Asha"},
        language="hi",
        at=timezone.now(),
        candidates=iter(candidates),
    )


def test_submission_insert_takes_the_first_free_reference(campaign):
    pk, reference, replaces_earlier = insert(campaign, token="t1")
    assert (reference, bool(replaces_earlier)) == ("RJ-2026-AAAA", False)
    row = Submission.objects.get(pk=pk)
    assert (row.token, row.mobile, row.payload, row.problem) == ("t1", "+919829012345", {"name_en": "Asha"}, "")
    # The same number again: a fresh reference (the first candidate is taken), marked as replacing.
    _pk, reference, replaces_earlier = insert(campaign, token="t2", candidates=("RJ-2026-AAAA", "RJ-2026-BBBB"))
    assert (reference, bool(replaces_earlier)) == ("RJ-2026-BBBB", True)
    assert insert(campaign, token="t3", mobile="+919829099999", candidates=("RJ-2026-AAAA",)) is None
    assert Submission.objects.count() == 2


def test_submission_insert_refuses_a_used_token(campaign):
    insert(campaign, token="once")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(campaign, token="once", candidates=("RJ-2026-CCCC",))
    assert Submission.objects.count() == 1
