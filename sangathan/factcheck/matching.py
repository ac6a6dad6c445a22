"""The lexical matcher: which known claim a tip repeats, and how sure we are.

Two stages over the normalised keys (``sangathan.factcheck.normalise``):

1. **Retrieval**: character n-grams (2–4, inside word boundaries, sublinear TF-IDF, scikit-learn) of
   every claim text, one sparse matrix; a tip's vector times that matrix gives the cosine with every
   text at once, and the ``CANDIDATES`` best texts go on.
2. **Re-scoring**: each candidate text gets ``score = COSINE_WEIGHT·cosine + (1 − COSINE_WEIGHT)·
   token-sort similarity`` (rapidfuzz's ``token_sort_ratio``: an edit distance over the words in sorted
   order, so a reordered sentence still scores high while words either side adds cost), lowered when
   the two disagree on the numbers or months they name (₹2,000 vs ₹500 notes, 25 May vs 25 April; less
   when only one of them names a number the other does not: "tatkal opens at 10 am, sleeper at 11 am"
   against "tatkal at 10 am for all classes") or on a negation (banks *will* / will *not* close). A claim scores with its best text (a tip in Hinglish
   meets the Hindi text). docs/factcheck.md compares this with the other combinations tried.

Two tiers, like Meedan Check's: **auto** when the score is at least ``FACTCHECK_AUTO_SCORE``, the margin
over the runner-up *claim* at least ``FACTCHECK_AUTO_MARGIN`` and the tip's key at least
``FACTCHECK_AUTO_MIN_CHARS`` characters long — all three; **suggest** when the score is at least
``FACTCHECK_SUGGEST_SCORE``; **none** otherwise. The best claim is named whatever the tier (null only
when no claim shares a single n-gram with the tip), so a desk can still see the nearest one.

One index per process, built from the ``ClaimText`` rows on first use. Before each match it asks the
database for the last text id and the last change (two index look-ups); texts added since are
vectorised with the index's vocabulary and appended (no rebuild per claim), and anything else — a text
changed, or appended rows past half the index — rebuilds it whole; deletions show in a count taken
every ``RECOUNT_SECONDS``. docs/factcheck.md
has the thresholds and the data that chose them, docs/benchmarks.md the speed.
"""

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.conf import settings
from rapidfuzz import fuzz
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from sangathan.factcheck.models import ClaimText
from sangathan.factcheck.normalise import normalise, numbers_in

AUTO = "auto"
SUGGEST = "suggest"
NONE = "none"

CANDIDATES = 12  # texts re-scored per tip: a claim has at most three, so at least four claims
COSINE_WEIGHT = 0.7
NUMBER_PENALTY = 0.6  # each names a number (or month) the other does not
NUMBER_ASYMMETRY_PENALTY = 0.8  # only one of them names a number (or month) the other does not
NEGATION_PENALTY = 0.85  # one says "not" and the other does not
NEGATIONS = frozenset(
    {"nahi", "nhi", "mat", "not", "no", "never", "neither", "nor"}
)  # folded keys ("na" is too many things)
REBUILD_SHARE = 0.5  # appended rows past this share of the index → rebuild (the IDF drifts)
RETRIEVED = 40  # texts per tip whose exact cosine is computed (from the partial cosine over rarer n-grams)
RETRIEVAL_MAX_DF = 0.02  # n-grams in more than this share of the texts do not retrieve (they still score)
RETRIEVAL_MIN_DF = 100  # ... but on a small index nothing is cut below this many texts
BATCH = 256  # tips per sparse product (bounds the memory of match_many)
RECOUNT_SECONDS = 30  # how often sync counts the texts (deletions reach other processes within this)
TIP_MAX_CHARS = 10_000  # a longer tip is matched on its beginning (a rumour is rarely over 2,000 characters)


@dataclass(frozen=True)
class Match:
    """The best claim for a tip (its external id, or None), the score in 0..1 and the tier."""

    claim_id: str | None
    score: float
    tier: str


@dataclass(frozen=True)
class Thresholds:
    auto_score: float
    auto_margin: float
    auto_min_chars: int
    suggest_score: float

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(
            auto_score=settings.FACTCHECK_AUTO_SCORE,
            auto_margin=settings.FACTCHECK_AUTO_MARGIN,
            auto_min_chars=settings.FACTCHECK_AUTO_MIN_CHARS,
            suggest_score=settings.FACTCHECK_SUGGEST_SCORE,
        )


def tier_for(*, score: float, margin: float, chars: int, thresholds: Thresholds) -> str:
    """auto only when all three hold; suggest on the score alone; none below."""
    if score >= thresholds.auto_score and margin >= thresholds.auto_margin and chars >= thresholds.auto_min_chars:
        return AUTO
    if score >= thresholds.suggest_score:
        return SUGGEST
    return NONE


def pair_score(tip_key: str, text_key: str, cosine: float) -> float:
    """The re-scored similarity of a tip and one claim text (keys), given their n-gram cosine."""
    score = COSINE_WEIGHT * cosine + (1 - COSINE_WEIGHT) * fuzz.token_sort_ratio(tip_key, text_key) / 100
    tip_numbers, text_numbers = numbers_in(tip_key), numbers_in(text_key)
    if tip_numbers - text_numbers and text_numbers - tip_numbers:
        score *= NUMBER_PENALTY  # another number where the claim has one: 15 May for 25 May, ₹200 for ₹2000
    elif tip_numbers != text_numbers:
        score *= NUMBER_ASYMMETRY_PENALTY  # a detail added or left out: "tatkal at 10 am, sleeper at 11 am"
    if NEGATIONS.isdisjoint(tip_key.split()) != NEGATIONS.isdisjoint(text_key.split()):
        score *= NEGATION_PENALTY  # "banks will close" / "banks will not close"
    return min(max(score, 0.0), 1.0)


@lru_cache(maxsize=200_000)
def _word_grams(word: str) -> tuple[str, ...]:
    """The 2- to 4-grams of `` word `` (padded with a space each side, as scikit-learn's ``char_wb``)."""
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (2, 3, 4) for i in range(max(len(padded) - n + 1, 1)))


def _grams(key: str) -> list[str]:
    """A key's n-grams: the words' grams, each word's computed once per process (keys repeat words a lot,
    so building the index costs about half of scikit-learn's own analyser)."""
    return [gram for word in key.split() for gram in _word_grams(word)]


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_grams, sublinear_tf=True, dtype=np.float32)


class ClaimIndex:
    """The claim texts of one process, vectorised. ``build``/``add`` take (claim external id, key) rows;
    ``search`` takes tip keys. Thread-safe: a web process may serve several requests at once.

    Two matrices: the texts' TF-IDF rows (for the exact cosine of a few candidates) and, transposed, the
    same rows without the n-grams found in more than ``RETRIEVAL_MAX_DF`` of the texts (" ke", "se ",
    "the"), which give the candidates. Without that cut, a tip shares some n-gram with nearly every text
    and the product with 100,000 texts is a dense 100,000 numbers per tip (about 250 tips/s measured);
    with it, each tip meets only the texts that share a rarer n-gram."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._vectorizer: TfidfVectorizer | None = None
            self._idf: np.ndarray = np.empty(0, dtype=np.float32)
            self._parts: list[sparse.csr_matrix] = []  # TF-IDF rows: the build's, then each appended batch
            self._offsets: list[int] = []  # the first row of each part
            self._retrieval: list[sparse.csr_matrix] = []  # each part, common n-grams cut, transposed
            self._common: np.ndarray | None = None  # columns cut from retrieval
            self._keys: list[str] = []
            self._row_claim: list[int] = []  # text row → position in _claims
            self._claims: list[str] = []
            self._claim_pos: dict[str, int] = {}
            self._built_rows = 0
            self.state: tuple | None = None  # the database state the index reflects (see sync)
            self.counted_at = float("-inf")  # when sync last counted the texts

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def claim_count(self) -> int:
        return len(self._claims)

    def _claim(self, external_id: str) -> int:
        pos = self._claim_pos.get(external_id)
        if pos is None:
            pos = self._claim_pos[external_id] = len(self._claims)
            self._claims.append(external_id)
        return pos

    def _append_part(self, rows: sparse.csr_matrix) -> None:
        assert self._common is not None
        self._offsets.append(sum(part.shape[0] for part in self._parts))
        self._parts.append(rows)
        retrieval = rows.copy()
        retrieval.data[self._common[retrieval.indices]] = 0
        retrieval.eliminate_zeros()
        self._retrieval.append(retrieval.T.tocsr())

    def build(self, rows: Iterable[tuple[str, str]]) -> None:
        """Replace the index with ``rows`` (claim external id, key)."""
        rows = [(claim, key) for claim, key in rows if key]
        with self._lock:
            self.clear()
            if not rows:
                return
            self._keys = [key for _claim, key in rows]
            self._row_claim = [self._claim(claim) for claim, _key in rows]
            self._vectorizer = _vectorizer()
            matrix = self._vectorizer.fit_transform(self._keys).tocsr()
            self._idf = self._vectorizer.idf_.astype(np.float32)
            document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
            self._common = document_frequency > max(RETRIEVAL_MIN_DF, RETRIEVAL_MAX_DF * len(rows))
            self._built_rows = len(rows)
            self._append_part(matrix)

    def add(self, rows: Iterable[tuple[str, str]]) -> None:
        """Append rows, vectorised with the index's vocabulary; rebuild when they grow past ``REBUILD_SHARE``."""
        rows = [(claim, key) for claim, key in rows if key]
        if not rows:
            return
        with self._lock:
            if self._vectorizer is None or len(self._keys) + len(rows) > self._built_rows * (1 + REBUILD_SHARE):
                self.build([*zip((self._claims[c] for c in self._row_claim), self._keys, strict=True), *rows])
                return
            self._keys.extend(key for _claim, key in rows)
            self._row_claim.extend(self._claim(claim) for claim, _key in rows)
            # A part of its own: adding a claim costs its own rows, not the index's.
            self._append_part(self._vectorise([key for _claim, key in rows]))

    def _vectorise(self, keys: Sequence[str]) -> sparse.csr_matrix:
        """The fitted TF-IDF of ``keys`` (what ``TfidfVectorizer.transform`` computes, without its
        per-call checks, which cost more than the arithmetic for one tip)."""
        assert self._vectorizer is not None
        vocabulary, idf = self._vectorizer.vocabulary_, self._idf
        indptr, indices, data = [0], [], []
        for key in keys:
            counts: dict[int, int] = {}
            for gram in _grams(key):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            columns = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * idf[columns]
            norm = float(np.sqrt(np.dot(weights, weights)))
            indices.append(columns)
            data.append(weights / norm if norm else weights)
            indptr.append(indptr[-1] + len(columns))
        return sparse.csr_matrix(
            (
                np.concatenate(data) if data else np.empty(0, np.float32),
                np.concatenate(indices) if indices else np.empty(0, np.int32),
                indptr,
            ),
            shape=(len(keys), len(vocabulary)),
            dtype=np.float32,
        )

    def search(self, keys: Sequence[str], thresholds: Thresholds) -> list[Match]:
        """The best claim for each tip key."""
        with self._lock:
            if self._vectorizer is None or not keys:
                return [Match(None, 0.0, NONE) for _key in keys]
            results: list[Match] = []
            for start in range(0, len(keys), BATCH):
                chunk = keys[start : start + BATCH]
                vectors = self._vectorise(chunk)
                tips, rows = self._candidates(vectors)
                cosines = self._cosines(vectors, tips, rows)
                bounds = np.searchsorted(tips, np.arange(len(chunk) + 1))
                for offset, key in enumerate(chunk):
                    begin, end = bounds[offset], bounds[offset + 1]
                    results.append(self._best(key, rows[begin:end], cosines[begin:end], thresholds))
            return results

    def _candidates(self, vectors: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(tip, text row) pairs, sorted by tip: each tip's ``RETRIEVED`` texts with the highest partial cosine."""
        partial = sparse.hstack([vectors @ part for part in self._retrieval], format="csr")
        tips, rows = [], []
        for tip in range(partial.shape[0]):
            begin, end = partial.indptr[tip], partial.indptr[tip + 1]
            found, scores = partial.indices[begin:end], partial.data[begin:end]
            if len(found) > RETRIEVED:
                found = found[np.argpartition(scores, -RETRIEVED)[-RETRIEVED:]]
            tips.append(np.full(len(found), tip))
            rows.append(found)
        if not rows:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(tips).astype(np.int64), np.concatenate(rows).astype(np.int64)

    def _cosines(self, vectors: sparse.csr_matrix, tips: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The exact cosine of each (tip, text row) pair, all n-grams counted."""
        cosines = np.zeros(len(rows), dtype=np.float32)
        for index, (part, offset) in enumerate(zip(self._parts, self._offsets, strict=True)):
            end = self._offsets[index + 1] if index + 1 < len(self._offsets) else len(self._keys)
            inside = (rows >= offset) & (rows < end)
            if inside.any():
                products = part[rows[inside] - offset].multiply(vectors[tips[inside]])
                cosines[inside] = np.asarray(products.sum(axis=1)).ravel()
        return cosines

    def _ranked(self, key: str, rows: np.ndarray, cosines: np.ndarray) -> list[tuple[int, float]]:
        """(claim position, score) of the candidate claims, best first (a claim scores with its best text)."""
        if not key or len(rows) == 0:
            return []
        if len(rows) > CANDIDATES:
            top = np.argpartition(cosines, -CANDIDATES)[-CANDIDATES:]
            rows, cosines = rows[top], cosines[top]
        best: dict[int, float] = {}
        for row, cosine in zip(rows.tolist(), cosines.tolist(), strict=True):
            if cosine <= 0:
                continue
            claim = self._row_claim[row]
            score = pair_score(key, self._keys[row], cosine)
            if score > best.get(claim, -1.0):
                best[claim] = score
        return sorted(best.items(), key=lambda item: (-item[1], self._claims[item[0]]))

    def _best(self, key: str, rows: np.ndarray, cosines: np.ndarray, thresholds: Thresholds) -> Match:
        return _tiered(self._ranked(key, rows, cosines), self._claims, len(key), thresholds, 1)[0]

    def rank(self, key: str, thresholds: Thresholds, limit: int) -> list[Match]:
        """Up to ``limit`` candidate claims for one tip key, best first: the first with the tier ``search``
        gives; the others ``suggest`` or ``none`` by their score (only the best claim is ever linked)."""
        with self._lock:
            if self._vectorizer is None or not key:
                return []
            vectors = self._vectorise([key])
            tips, rows = self._candidates(vectors)
            ranked = self._ranked(key, rows, self._cosines(vectors, tips, rows))
            return _tiered(ranked, self._claims, len(key), thresholds, limit) if ranked else []


def _tiered(
    ranked: list[tuple[int, float]], claims: list[str], chars: int, thresholds: Thresholds, limit: int
) -> list[Match]:
    """The first ``limit`` of ``ranked`` as matches; the best one's tier asks its margin over the runner-up."""
    if not ranked:
        return [Match(None, 0.0, NONE)]
    matches = []
    for position, (claim, score) in enumerate(ranked[:limit]):
        score = round(score, 4)
        if position == 0:
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            margin = round(score - round(runner_up, 4), 4)
            tier = tier_for(score=score, margin=margin, chars=chars, thresholds=thresholds)
        else:
            tier = SUGGEST if score >= thresholds.suggest_score else NONE
        matches.append(Match(claims[claim], score, tier))
    return matches


_INDEX = ClaimIndex()


def _latest() -> tuple:
    """(last id, last change) of the claim texts: two look-ups of one index row each (a single
    ``SELECT MAX(id), MAX(updated_at)`` scans the table on SQLite: ~30 ms at 100,000 texts)."""
    texts = ClaimText.objects.all()
    return (
        texts.order_by("-id").values_list("id", flat=True).first(),
        texts.order_by("-updated_at").values_list("updated_at", flat=True).first(),
    )


def _rows(queryset) -> list[tuple[str, str]]:
    return list(queryset.order_by("id").values_list("claim__external_id", "key"))


def sync(index: ClaimIndex = _INDEX) -> ClaimIndex:
    """Bring ``index`` up to the database: nothing when nothing changed, the new texts appended when
    only texts were added, a rebuild otherwise (a text changed). Deleted texts, and a text committed
    after a later id was already read, show in the count, which is checked every ``RECOUNT_SECONDS``
    (counting 100,000 rows costs more than the rest of a match)."""
    state = _latest()
    now = time.monotonic()
    with index._lock:
        recount = now - index.counted_at >= RECOUNT_SECONDS
        if index.state == state and not recount:
            return index
        previous = index.state
        if previous is not None and previous[0] is not None and state[0] is not None and state[0] >= previous[0]:
            changed_before = ClaimText.objects.filter(id__lte=previous[0], updated_at__gt=previous[1]).exists()
            new_rows = _rows(ClaimText.objects.filter(id__gt=previous[0])) if state[0] > previous[0] else []
            if not changed_before and (not recount or _count() == len(index) + len(new_rows)):
                index.add(new_rows)
                index.state = state
                index.counted_at = now if recount else index.counted_at
                return index
        index.build(_rows(ClaimText.objects.exclude(key="")))
        index.state, index.counted_at = state, now
        return index


def _count() -> int:
    return ClaimText.objects.exclude(key="").count()


def forget_index() -> None:
    """Drop this process's index (tests; the next match rebuilds it)."""
    _INDEX.clear()


def match_keys(keys: Sequence[str]) -> list[Match]:
    """Matches for already-normalised keys (the quality command compares normalisations this way)."""
    return sync().search(keys, Thresholds.from_settings())


def match_many(texts: Sequence[str]) -> list[Match]:
    """The best claim for each text, in order."""
    return match_keys([normalise(text[:TIP_MAX_CHARS]) for text in texts])


def match_ranked(text: str, *, limit: int) -> list[Match]:
    """Up to ``limit`` candidate claims for one text, best first (``ClaimIndex.rank``); empty when none."""
    return sync().rank(normalise(text[:TIP_MAX_CHARS]), Thresholds.from_settings(), limit)


def match_text(text: str) -> Match:
    """The best claim for one text."""
    return match_many([text])[0]
