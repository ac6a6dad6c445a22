"""How fast the matcher is at scale: synthetic claims and tips, and the timings of docs/benchmarks.md.

``measure(claims=50_000, tips=5_000)`` builds an index of ``claims`` synthetic claims (a Hindi and an English
text each, so twice as many rows), times the build, appends 100 claims one at a time (what the desk does
when it adds one), and times matching ``tips`` tips in batches (the CLI's path) and one by one (the web
path's ``match_text``, minus the freshness query). The claims are sentences put together from the
vocabulary of real rumours — institutions, amounts, dates, places — so that they share n-grams the way a
real archive does (a random-letter corpus would make the sparse products look cheaper than they are).
``measure`` touches no database; ``measure_pictures`` (the near-duplicate search over stored pictures)
writes its pictures and deletes them. One run::

    sangathan shell -c "from sangathan.factcheck.speed import measure; print(measure())"
"""

import random
import statistics
import time
from dataclasses import dataclass

from sangathan.factcheck import images
from sangathan.factcheck.matching import ClaimIndex, Thresholds
from sangathan.factcheck.models import TipChannel, TipMedia, hash_bands
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import tip_receive

# fmt: off
_SUBJECTS_HI = [
    "सरकार", "रिज़र्व बैंक", "चुनाव आयोग", "रेलवे", "स्टेट बैंक", "स्वास्थ्य मंत्रालय", "राशन विभाग", "बिजली विभाग",
    "शिक्षा बोर्ड", "डाक विभाग", "नगर निगम", "पुलिस", "आयकर विभाग", "गैस एजेंसी", "पेट्रोल पंप", "अस्पताल",
]
_SUBJECTS_EN = [
    "the government", "the Reserve Bank", "the Election Commission", "the railways", "State Bank", "the health ministry",
    "the ration office", "the power department", "the school board", "the post office", "the municipality",
    "the police", "the income tax department", "the gas agency", "petrol pumps", "hospitals",
]
_OBJECTS_HI = [
    "के नोट", "खाते", "राशन कार्ड", "ईवीएम", "मतदान केंद्र", "टीके", "पेंशन", "सिलेंडर", "टिकट", "परीक्षा", "स्कूल",
    "आधार कार्ड", "पैन कार्ड", "मोबाइल नंबर", "बिजली बिल", "सब्सिडी", "एटीएम", "यूपीआई भुगतान", "ट्रेनें", "दवाइयां",
]
_OBJECTS_EN = [
    "notes", "accounts", "ration cards", "EVMs", "polling booths", "vaccines", "pensions", "cylinders", "tickets",
    "exams", "schools", "Aadhaar cards", "PAN cards", "mobile numbers", "power bills", "subsidies", "ATMs",
    "UPI payments", "trains", "medicines",
]
_ACTIONS_HI = ["बंद करेगा", "रद्द करेगा", "बदल देगा", "मुफ्त देगा", "महंगा करेगा", "जांच करेगा", "रोक देगा", "शुरू करेगा"]
_ACTIONS_EN = ["will stop", "will cancel", "will change", "will give free", "will raise the price of", "will check",
               "will block", "will start"]
_WHEN_HI = ["कल से", "अगले महीने से", "{d} {m} से", "{d} {m} तक", "इस हफ्ते", "चुनाव से पहले"]
_WHEN_EN = ["from tomorrow", "from next month", "from {d} {m}", "till {d} {m}", "this week", "before the election"]
_MONTHS_HI = ["जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"]
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
_PLACES_HI = ["पूरे देश में", "राजस्थान में", "जयपुर में", "गांवों में", "शहरों में", "सभी जिलों में", "उत्तर प्रदेश में"]
_PLACES_EN = ["across the country", "in Rajasthan", "in Jaipur", "in villages", "in cities", "in every district",
              "in Uttar Pradesh"]
_AMOUNTS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
_NOISE = ["*Forwarded many times*", "👇👇", "🙏", "जरूर शेयर करें", "share karo", "https://bit.ly/abc", "!!!", "⚠️"]
# fmt: on


def synthetic_claims(count: int, *, seed: int = 14) -> list[tuple[str, dict[str, str]]]:
    """``count`` claims (external id, {"hi": ..., "en": ...}), each a distinct combination."""
    rng = random.Random(seed)
    claims = []
    seen: set[tuple] = set()
    while len(claims) < count:
        s, o, a, w, p = (rng.randrange(len(x)) for x in (_SUBJECTS_HI, _OBJECTS_HI, _ACTIONS_HI, _WHEN_HI, _PLACES_HI))
        amount, day, month = rng.choice(_AMOUNTS), rng.randint(1, 28), rng.randrange(12)
        combo = (s, o, a, w, p, amount, day, month)
        if combo in seen:
            continue
        seen.add(combo)
        when_hi = _WHEN_HI[w].format(d=day, m=_MONTHS_HI[month])
        when_en = _WHEN_EN[w].format(d=day, m=_MONTHS_EN[month])
        hi = f"{when_hi} {_PLACES_HI[p]} {_SUBJECTS_HI[s]} ₹{amount} {_OBJECTS_HI[o]} {_ACTIONS_HI[a]}"
        en = f"{_SUBJECTS_EN[s].capitalize()} {_ACTIONS_EN[a]} ₹{amount} {_OBJECTS_EN[o]} {_PLACES_EN[p]} {when_en}"
        claims.append((f"syn-{len(claims):06d}", {"hi": hi, "en": en}))
    return claims


def synthetic_tips(claims: list[tuple[str, dict[str, str]]], count: int, *, seed: int = 15) -> list[str]:
    """Tips: half repeat a claim with forwarding noise and a word dropped, half are other sentences."""
    rng = random.Random(seed)
    tips = []
    for i in range(count):
        _id, texts = rng.choice(claims)
        words = texts[rng.choice(("hi", "en"))].split()
        if i % 2:
            words.pop(rng.randrange(len(words)))
            rng.shuffle(words)
        tips.append(" ".join([rng.choice(_NOISE), *words, rng.choice(_NOISE)]))
    return tips


@dataclass
class Timings:
    claims: int
    rows: int
    normalise_s: float
    build_s: float
    add_one_ms: float
    batch_tips_per_s: float
    single_p50_ms: float
    single_p95_ms: float


def measure(*, claims: int = 50_000, tips: int = 5_000, thresholds: Thresholds | None = None) -> Timings:
    thresholds = thresholds or Thresholds(auto_score=0.65, auto_margin=0.34, auto_min_chars=25, suggest_score=0.45)
    corpus = synthetic_claims(claims + 100)
    base, extra = corpus[:claims], corpus[claims:]
    started = time.perf_counter()
    rows = [(external_id, normalise(text)) for external_id, texts in base for text in texts.values()]
    normalised = time.perf_counter()
    index = ClaimIndex()
    index.build(rows)
    built = time.perf_counter()
    adds = []
    for external_id, texts in extra:
        t0 = time.perf_counter()
        index.add([(external_id, normalise(text)) for text in texts.values()])
        adds.append(time.perf_counter() - t0)
    tip_texts = synthetic_tips(base, tips)
    t0 = time.perf_counter()
    index.search([normalise(text) for text in tip_texts], thresholds)
    batch = time.perf_counter() - t0
    singles = []
    for text in tip_texts[:500]:
        t1 = time.perf_counter()
        index.search([normalise(text)], thresholds)
        singles.append(time.perf_counter() - t1)
    singles.sort()
    return Timings(
        claims=claims,
        rows=len(rows),
        normalise_s=normalised - started,
        build_s=built - normalised,
        add_one_ms=1000 * statistics.median(adds),
        batch_tips_per_s=tips / batch,
        single_p50_ms=1000 * singles[len(singles) // 2],
        single_p95_ms=1000 * singles[int(len(singles) * 0.95)],
    )


# ---------------------------------------------------------------- pictures (this part uses the database)


@dataclass
class PictureTimings:
    pictures: int
    linear_p50_ms: float
    linear_p95_ms: float
    index_p50_ms: float
    index_p95_ms: float
    index_candidates_median: float
    same_results: bool


def measure_pictures(*, pictures: int = 100_000, queries: int = 20, seed: int = 16) -> PictureTimings:
    """Near-duplicate search over ``pictures`` stored tip pictures with random hashes (one tip holds them,
    made here and deleted at the end): the linear scan of every hashed row against the bands' index
    (``images.near_rows``), for ``queries`` pictures, half of them a few bits from a stored one. Run inside a
    throw-away database (it writes)."""
    rng = random.Random(seed)
    tip, _new = tip_receive(channel=TipChannel.WEB, text="speed: pictures")
    try:
        stored = []
        for start in range(0, pictures, 5000):
            batch = []
            for _ in range(min(5000, pictures - start)):
                ph, dh = f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}"
                stored.append((ph, dh))
                batch.append(
                    TipMedia(
                        tip=tip,
                        file="factcheck/speed.png",
                        content_type="image/png",
                        phash=ph,
                        dhash=dh,
                        **hash_bands(ph, dh),
                    )
                )
            TipMedia.objects.bulk_create(batch)
        probes = []
        for i in range(queries):
            ph, dh = (int(x, 16) for x in rng.choice(stored)) if i % 2 else (rng.getrandbits(64), rng.getrandbits(64))
            for position in rng.sample(range(64), 6):
                ph ^= 1 << position
            for position in rng.sample(range(64), 6):
                dh ^= 1 << position
            probes.append((f"{ph:016x}", f"{dh:016x}"))
        rows = TipMedia.objects.filter(tip=tip)
        linear, indexed, candidates, same = [], [], [], True
        for ph, dh in probes:
            t0 = time.perf_counter()
            p, d = int(ph, 16), int(dh, 16)
            scanned = {
                pk
                for pk, row_p, row_d in rows.exclude(phash="").values_list("pk", "phash", "dhash").iterator()
                if images.is_near((p ^ int(row_p, 16)).bit_count(), (d ^ int(row_d, 16)).bit_count())
            }
            t1 = time.perf_counter()
            found = {row.pk for _pd, _dd, row in images.near_rows(rows, phash=ph, dhash=dh)}
            t2 = time.perf_counter()
            linear.append(t1 - t0)
            indexed.append(t2 - t1)
            lookup = images.band_lookup(ph, dh)
            candidates.append(rows.filter(lookup).count() if lookup is not None else pictures)
            same = same and scanned == found
    finally:
        TipMedia.objects.filter(tip=tip).delete()
    linear.sort()
    indexed.sort()
    return PictureTimings(
        pictures=pictures,
        linear_p50_ms=1000 * statistics.median(linear),
        linear_p95_ms=1000 * linear[int(len(linear) * 0.95)],
        index_p50_ms=1000 * statistics.median(indexed),
        index_p95_ms=1000 * indexed[int(len(indexed) * 0.95)],
        index_candidates_median=statistics.median(candidates),
        same_results=same,
    )
