"""One tip through the fact-check desk's match API (``POST /api/v1/factcheck/match/``) with 5,000 claims
loaded: the whole request in process (middleware, a district fact-checker's scope, the matcher's freshness
look-ups and ranking, the claims the caller may see, the answer), beside the matcher alone
(``matching.match_ranked``) as the baseline. The claims and tips are ``factcheck.speed``'s synthetic ones.
Target (issue 14): p95 < 50 ms.
"""

import hashlib
import time

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from tqdm import tqdm

from sangathan.access.models import Role, RoleAssignment
from sangathan.benchmarks.org import Row, percentile
from sangathan.factcheck.loading import ClaimRow
from sangathan.factcheck.matching import CANDIDATES, match_ranked
from sangathan.factcheck.models import Claim
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import claims_load
from sangathan.factcheck.speed import synthetic_claims, synthetic_tips
from sangathan.org.models import Unit

ROW_NAMES = ("factcheck-match",)
CLAIMS = 5000
P95_MS = 50.0
URL = "/api/v1/factcheck/match/"


def _load_claims(count: int, district: Unit) -> list[tuple[str, dict[str, str]]]:
    claims = synthetic_claims(count)
    rows = [
        ClaimRow(row=n, external_id=external_id, language=language, text=text, key=normalise(text))
        for n, (external_id, texts) in enumerate(claims, start=2)
        for language, text in texts.items()
    ]
    claims_load(rows=rows, file_name="bench.csv", digest=hashlib.sha256(b"bench-factcheck").hexdigest())
    # A fifth of them the district desk's own, the rest the shared archive's (no unit): both are visible.
    Claim.objects.filter(external_id__in=[external_id for external_id, _texts in claims[::5]]).update(unit=district)
    return claims


def run(*, only, log, repeat: int, show_progress: bool) -> tuple[list[Row], list[str]]:
    if "factcheck-match" not in only:
        return [], []
    district = Unit.objects.filter(depth=2).order_by("pk").first() or Unit.objects.order_by("depth", "pk").first()
    if district is None:
        return [], ["factcheck-match: skipped, no tree."]
    log(f"Fact-check: loading {CLAIMS:,} synthetic claims ...")
    claims = _load_claims(CLAIMS, district)
    user = get_user_model().objects.create_user(username="bench-factchecker", password=None)
    RoleAssignment.objects.create(user=user, unit=district, role=Role.FACT_CHECKER)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="hi")
    client.force_authenticate(user=user)
    tips = synthetic_tips(claims, max(repeat, 50))
    match_ranked(tips[0], limit=CANDIDATES)  # the index is built once per process, not per request

    def request(text: str):
        response = client.post(URL, {"text": text, "limit": 5}, format="json")
        assert response.status_code == 200, response.status_code
        return response

    samples_ms, baseline_ms = [], []
    answered = disagreed = 0  # tips the API found a claim for; of them, where its first is not the matcher's
    request(tips[0])
    for text in tqdm(tips[:repeat], desc="factcheck match", leave=False, disable=not show_progress):
        started = time.perf_counter()
        response = request(text)
        between = time.perf_counter()
        ranked = match_ranked(text, limit=CANDIDATES)
        samples_ms.append(1000 * (between - started))
        baseline_ms.append(1000 * (time.perf_counter() - between))
        # Every synthetic claim is visible to this fact-checker, so the API's first is the matcher's first.
        # (Some noisy synthetic tips match nothing at all: that is not a wrong answer.)
        candidates = response.json()["candidates"]
        if candidates:
            answered += 1
            disagreed += not ranked or candidates[0]["claim"]["external_id"] != ranked[0].claim_id
    row = Row(
        name="factcheck-match",
        what=f"one tip through POST {URL} ({CLAIMS:,} claims, a district fact-checker; baseline: the matcher alone)",
        target=f"p95 < {P95_MS:.0f} ms",
        p50_ms=percentile(samples_ms, 50),
        p95_ms=percentile(samples_ms, 95),
        baseline_p50_ms=percentile(baseline_ms, 50),
        baseline_p95_ms=percentile(baseline_ms, 95),
        samples=samples_ms,
        baseline_samples=baseline_ms,
        correct=answered > 0 and disagreed == 0,
    )
    row.ratio = row.baseline_p50_ms / row.p50_ms if row.p50_ms else None
    row.judge([(row.p95_ms < P95_MS, f"p95 {row.p95_ms:.1f} ms, target < {P95_MS:.0f} ms")])
    return [row], []
