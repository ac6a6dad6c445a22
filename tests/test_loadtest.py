"""The load scenario's books (loadtest/run.py): on a tiny run made in-process, exact books pass and each kind of
wrong book is named."""

import importlib.util
from pathlib import Path

import pytest

from sangathan.benchmarks import apply as apply_bench
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Unit
from sangathan.recruitment.intake import submission_receive, submissions_schedule
from sangathan.recruitment.models import Submission

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

RUN = Path(__file__).resolve().parent.parent / "loadtest" / "run.py"


def _runner():
    spec = importlib.util.spec_from_file_location("loadtest_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def accepted(tree, django_capture_on_commit_callbacks):
    """Three forms taken and made into applications (the embedded mode), as the ledger records them."""
    campaign, post, places = apply_bench._campaign()
    booth = Unit.objects.get(pk=places["booth"])
    forms = []
    for n in range(3):
        token, mobile = f"load-token-{n}", f"98290{n:05d}"
        data = {
            "applied_for": post,
            "home_unit": booth,
            "mobile": mobile,
            "name_hi": "भार परीक्षण",
            "name_en": "Load Test",
            "email": "",
            "age": 30,
            "gender": "",
            "occupation": "Engineer",
            "education": "B.Tech",
            "languages": ["hi"],
            "social_accounts": [],
            "statement": "संगठन के लिए काम करना चाहता हूँ।",
            "writing_sample": "हर बूथ हो मजबूत!",
        }
        with django_capture_on_commit_callbacks(execute=True):
            submission, new = submission_receive(campaign=campaign, token=token, data=data)
            submissions_schedule(submission)
        forms.append([token, mobile])
    return {"campaign_id": campaign.pk, "message_id": 0}, {"forms": forms, "acks": [], "forms_refused": 0}


def test_exact_books_pass(accepted):
    plan, ledger = accepted
    figures, problems = _runner().books(plan, ledger, settle=0, log=print)
    assert problems == []
    assert figures["forms answered 2xx"] == figures["their applications"] == figures["of them sent"] == 3


def test_a_lost_form_an_unsent_message_and_a_phantom_ack_are_named(accepted):
    plan, ledger = accepted
    ledger["forms"].append(["never-stored", "9829099999"])
    ledger["acks"].append("a-token-no-delivery-has")
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.order_by("pk").first().pk).update(status="pending")
    Submission.objects.filter(token="load-token-0").update(processed_at=None)
    _figures, problems = _runner().books(plan, ledger, settle=0, log=print)
    assert "a form answered 2xx has no submission" in problems
    assert "not every applicant's message was sent exactly once" in problems
    assert "acknowledgements answered 200 ≠ deliveries acknowledged" in problems
    assert "submissions left unprocessed" in problems


def test_a_run_that_accepted_nothing_is_not_exact(tree):
    campaign, _post, _places = apply_bench._campaign()
    _figures, problems = _runner().books(
        {"campaign_id": campaign.pk, "message_id": 0}, {"forms": [], "acks": []}, settle=0, log=print
    )
    assert "no form was accepted: nothing to check" in problems
