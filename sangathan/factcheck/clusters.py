"""Which earlier tips a new tip repeats: the same lexical index as the claims (``matching.ClaimIndex``),
built over the clusters' keys (a cluster is known by its first tip's key, which never changes).

A cluster's key is only ever added, so the index follows the database by the last cluster id: new
clusters are appended, and a count that disagrees (a cluster deleted) rebuilds it. A tip joins the best
cluster when the score reaches ``FACTCHECK_AUTO_SCORE`` (the margin is not asked: two near-identical
clusters are the same rumour, and a wrong join costs a counter, not a wrong answer to a person).
"""

import threading

from sangathan.factcheck.matching import ClaimIndex, Thresholds
from sangathan.factcheck.models import TipCluster

_INDEX = ClaimIndex()
_LOCK = threading.Lock()
_STATE: dict[str, int | None] = {"last_id": None}


def _sync() -> ClaimIndex:
    last_id = TipCluster.objects.order_by("-id").values_list("id", flat=True).first()
    with _LOCK:
        previous = _STATE["last_id"]
        if previous == last_id:
            return _INDEX
        rows = TipCluster.objects.exclude(key="").order_by("id")
        if previous is not None and last_id is not None and last_id > previous:
            new = [(str(pk), key) for pk, key in rows.filter(id__gt=previous).values_list("id", "key")]
            if rows.count() == len(_INDEX) + len(new):
                _INDEX.add(new)
                _STATE["last_id"] = last_id
                return _INDEX
        _INDEX.build((str(pk), key) for pk, key in rows.values_list("id", "key"))
        _STATE["last_id"] = last_id
        return _INDEX


def cluster_for_key(key: str) -> int | None:
    """The id of the cluster a tip with ``key`` repeats, or None."""
    if not key:
        return None
    thresholds = Thresholds.from_settings()
    match = _sync().search([key], thresholds)[0]
    if match.claim_id is None or match.score < thresholds.auto_score:
        return None
    return int(match.claim_id)


def forget_cluster_index() -> None:
    """Drop this process's cluster index (tests; the next tip rebuilds it)."""
    with _LOCK:
        _INDEX.clear()
        _STATE["last_id"] = None
