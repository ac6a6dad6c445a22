"""What a sign-up costs the database (issue 15): the statements of the join POST and of the code POST,
pinned so that a change that adds a read or a per-row write to the public path shows up here. The numbers
and what each statement is for are in docs/benchmarks.md ("Membership: the join and code POSTs")."""

import pytest
from django.test import override_settings

from sangathan.membership import services
from sangathan.membership.models import Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.test_public import form_data, join_url, pending_of
from sangathan.testing import sent_code

pytestmark = pytest.mark.django_db

# The join POST: the link; the number's row (locked); the notice; the member and its audit entry; the
# counters of the chain (one upsert); two fraud counts (the night's third is kept out, so the number does
# not depend on the hour the test runs); the same-name look-up; the code (the per-number
# limit, the earlier code, the challenge, its audit entries, the outbox message); the form's bookkeeping;
# and the savepoints around them.
JOIN_STATEMENTS = 25
# The code POST: the link; the member; the code checked and wiped; the member locked and verified (audited,
# under a savepoint for the voter-ID constraint); the counters and the day rows (one upsert each); the
# member's own code (audited); the welcome SMS in the outbox.
CODE_STATEMENTS = 28


@override_settings(MEMBERSHIP_FRAUD_NIGHT_START=0, MEMBERSHIP_FRAUD_NIGHT_END=0)
def test_a_join_and_its_code_cost_a_fixed_number_of_statements(client, tree, django_assert_num_queries):
    link = services.referral_code_for_unit(unit=tree.booth1)
    client.post(join_url(link), form_data(mobile="98290 00007", name="पहला"))  # warm: the notice exists

    with django_assert_num_queries(JOIN_STATEMENTS):
        page = client.post(join_url(link), form_data(mobile="98290 11111"))
    assert page.status_code == 200
    code = sent_code("+919829011111")

    with django_assert_num_queries(CODE_STATEMENTS):
        done = client.post(join_url(link), {"step": "code", "pending": pending_of(page), "code": code})
    assert 'id="member-done"' in done.content.decode() and 'id="own-link"' in done.content.decode()
    member = Member.objects.get(mobile="+919829011111")
    assert member.status == Member.Status.VERIFIED and member.own_code.is_active
    assert counts_for_unit(tree.jaipur).verified == 1 and counts_for_unit(tree.jaipur).pending == 1
