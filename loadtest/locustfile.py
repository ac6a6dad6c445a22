"""The mixed workload of the load scenario (``loadtest/run.py`` starts it; see docs/operations.md).

Three kinds of visitor, in the proportions of a drive day: applicants sending the public form (each with a
one-time token and a mobile number of their own), office-bearers pressing "received" on a message's page
(each delivery acknowledged once, as the page's script sends it), and staff reading unit pages and the
control room's wall. Every answer the books need is written to the ledger (``LOADTEST_LEDGER``) when the
run ends: which form tokens and which acknowledgement tokens were answered 2xx.
"""

import itertools
import json
import os
import random
import re
import secrets
import threading

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"], encoding="utf-8").read())  # noqa: SIM115 - read once
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LEDGER = {"forms": [], "acks": [], "forms_refused": 0}
_lock = threading.Lock()
_ack_tokens = iter(PLAN["ack_tokens"])
# Mobile numbers unique in the run: a prefix of the run, then a counter.
_mobiles = (f"9{PLAN['mobile_prefix']:03d}{n:06d}" for n in itertools.count())


def _csrf(client, path: str) -> str:
    response = client.get(path, name="GET form (CSRF)")
    match = CSRF_RE.search(response.text or "")
    return match.group(1) if match else ""


class Applicant(HttpUser):
    """Sends the public application form, a new person each time."""

    weight = 5
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set("django_language", "hi")
        self.csrf = _csrf(self.client, PLAN["form_path"])

    @task
    def apply(self):
        with _lock:
            mobile = next(_mobiles)
        token = secrets.token_urlsafe(24)
        fields = {
            "csrfmiddlewaretoken": self.csrf,
            "token": token,
            "applied_for": PLAN["post_id"],
            "name_hi": "भार परीक्षण",
            "name_en": "Load Test",
            "mobile": mobile,
            "age": "30",
            "occupation": "Engineer",
            "education": "B.Tech",
            "languages": "hi",
            "statement": "संगठन के लिए काम करना चाहता हूँ।" * 5,
            "writing_sample": "हर बूथ हो मजबूत! " * 10,
            "consent": "on",
            **PLAN["places"],
        }
        headers = {"Referer": PLAN["host"] + PLAN["form_path"]}
        with self.client.post(
            PLAN["form_path"], data=fields, headers=headers, name="POST application form", catch_response=True
        ) as response:
            if response.status_code == 200 and PLAN["reference_prefix"] in response.text:
                with _lock:
                    LEDGER["forms"].append([token, mobile])
                response.success()
            else:
                with _lock:
                    LEDGER["forms_refused"] += 1
                response.failure(f"form not taken: {response.status_code}")


class OfficeBearer(HttpUser):
    """Presses "received" on a message's page: each delivery once."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.csrf = ""

    @task
    def acknowledge(self):
        with _lock:
            token = next(_ack_tokens, None)
        if token is None:
            return
        path = f"/m/{token}/"
        if not self.csrf:
            self.csrf = _csrf(self.client, path)
        headers = {"X-Requested-With": "fetch", "Referer": PLAN["host"] + path}
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": self.csrf, "action": "received"},
            headers=headers,
            name="POST acknowledgement",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                with _lock:
                    LEDGER["acks"].append(token)
                response.success()
            else:
                response.failure(f"acknowledgement: {response.status_code}")


class Staff(HttpUser):
    """A signed-in state admin reading unit pages and the control room's wall."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        self.client.cookies.set("sessionid", PLAN["sessionid"])
        self.client.cookies.set("django_language", "hi")

    def _page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:  # a redirect to the sign-in page is a failure here
                response.failure(f"{name}: {response.status_code}")

    @task(3)
    def unit_page(self):
        self._page(f"/units/{random.choice(PLAN['unit_ids'])}/", "GET unit page")

    @task(1)
    def dashboard(self):
        self._page(f"/controlroom/unit/{random.choice(PLAN['wall_unit_ids'])}/", "GET control room wall")


@events.quitting.add_listener
def _write_ledger(environment, **kwargs):
    with open(os.environ["LOADTEST_LEDGER"], "w", encoding="utf-8") as ledger:
        json.dump(LEDGER, ledger)
