"""``sangathan factcheck-quality``: how often the matcher finds the claim a tip repeats, against a baseline.

It loads a labelled set's claims with ``sangathan factcheck-load`` into a **throw-away database** (the
configured one is never touched; inside a test database it uses that one), matches its tips with
``sangathan factcheck-match`` — the CLI contract, so the same matcher and thresholds as the desk — and
prints one table: for tips that repeat a claim, how many have the right claim first, how many are
auto-linked to it, how many are auto-linked to a wrong one, how many only suggested; for tips that repeat
none, how many are auto-linked (all wrongly) or suggested; per language. The baseline in the same table is
character 2–4-gram TF-IDF (scikit-learn, no normalisation), the nearest claim by cosine, tiers by a fixed
score threshold, computed here on the same data.

The set (``--data``, default ``sangathan/factcheck/data``): ``claims.csv`` (``id,lang,text``),
``tips.csv`` (``id,text,claim``, ``claim`` empty for a tip that repeats none) and, optional,
``tips_meta.csv`` (``id,lang,...``) for the per-language rows.
"""

import csv
import json
import signal
import threading
import zlib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from sangathan.factcheck.matching import match_ranked
from sangathan.factcheck.normalise import normalise

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data"

# The baseline's tiers: a plain cosine threshold each, chosen once and not tuned on the set (the table's
# last baseline row shows the best it could do with its auto threshold tuned on the set itself).
BASELINE_AUTO = 0.80
BASELINE_SUGGEST = 0.40

TARGET_RIGHT_FIRST = 95.0  # % of repeating tips whose best claim is the right one
TARGET_AUTO_RIGHT = 60.0  # % of repeating tips auto-linked to the right claim
TARGET_WRONG_AUTO = 0  # auto-links to a wrong claim, repeating and non-repeating tips together

LANGUAGES = (("hi", "Hindi"), ("hinglish", "Hinglish"), ("en", "English"))
TIERS = ("auto", "suggest", "none")


@dataclass(frozen=True)
class Tip:
    id: str
    text: str
    claim: str  # "" when the tip repeats no claim
    lang: str  # hi, hinglish, en; "" when tips_meta.csv does not say


@dataclass(frozen=True)
class Match:
    claim: str | None
    score: float
    tier: str


@dataclass
class Row:
    """One line of the table: a matcher on one group of tips."""

    who: str
    group: str
    repeating: int = 0
    right_first: int = 0
    auto_right: int = 0
    auto_wrong: int = 0  # repeating tips auto-linked to a wrong claim
    suggested: int = 0  # repeating tips in the suggest tier
    other: int = 0  # tips that repeat no claim
    other_auto: int = 0  # ... auto-linked (always wrong)
    other_suggested: int = 0

    @property
    def wrong_auto_links(self) -> int:
        return self.auto_wrong + self.other_auto


def pct(part: int, whole: int) -> float | None:
    return None if not whole else 100.0 * part / whole


def summarise(who: str, group: str, tips: Iterable[Tip], matches: dict[str, Match]) -> Row:
    row = Row(who=who, group=group)
    for tip in tips:
        match = matches[tip.id]
        if tip.claim:
            row.repeating += 1
            right = match.claim == tip.claim
            row.right_first += right
            if match.tier == "auto":
                row.auto_right += right
                row.auto_wrong += not right
            elif match.tier == "suggest":
                row.suggested += 1
        else:
            row.other += 1
            row.other_auto += match.tier == "auto"
            row.other_suggested += match.tier == "suggest"
    return row


def rows_for(who: str, tips: list[Tip], matches: dict[str, Match]) -> list[Row]:
    rows = [summarise(who, "all", tips, matches)]
    if any(tip.lang for tip in tips):
        for code, name in LANGUAGES:
            rows.append(summarise(who, name, [tip for tip in tips if tip.lang == code], matches))
    return rows


# --- reading the set ----------------------------------------------------------------------------------------


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise CommandError(f"{path} not found.")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"{path}: the header lacks {', '.join(missing)} (expected {','.join(columns)}).")
        return list(reader)


def read_set(data: Path) -> tuple[Path, dict[str, list[str]], Path, list[Tip]]:
    """The claims (id → texts) and the tips of the set in ``data``, checked against each other."""
    claims_path, tips_path, meta_path = data / "claims.csv", data / "tips.csv", data / "tips_meta.csv"
    claims: dict[str, list[str]] = {}
    for record in _read_csv(claims_path, ("id", "lang", "text")):
        claims.setdefault(record["id"].strip(), []).append(record["text"])
    languages: dict[str, str] = {}
    if meta_path.is_file():
        languages = {r["id"].strip(): r["lang"].strip() for r in _read_csv(meta_path, ("id", "lang"))}
    tips = []
    seen = set()
    for number, record in enumerate(_read_csv(tips_path, ("id", "text", "claim")), start=2):
        tip_id, claim = record["id"].strip(), (record["claim"] or "").strip()
        if claim and claim not in claims:
            raise CommandError(f"{tips_path}, row {number}: claim {claim!r} is not in {claims_path.name}.")
        if tip_id in seen:
            raise CommandError(f"{tips_path}, row {number}: tip id {tip_id!r} appears twice.")
        seen.add(tip_id)
        tips.append(Tip(id=tip_id, text=record["text"], claim=claim, lang=languages.get(tip_id, "")))
    if not claims or not tips:
        raise CommandError(f"{data}: no claims or no tips to measure.")
    return claims_path, claims, tips_path, tips


# --- the matcher, through its CLI, and the baseline ---------------------------------------------------------


def parse_matches(output: str, tips: list[Tip]) -> dict[str, Match]:
    """``factcheck-match``'s JSON lines, one per tip; a tip it left out is a hard error, not a silent miss."""
    matches = {}
    for line in output.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        claim = record.get("claim")
        matches[str(record["id"])] = Match(
            claim=None if claim is None else str(claim), score=float(record["score"]), tier=record["tier"]
        )
    missing = [tip.id for tip in tips if tip.id not in matches]
    if missing:
        raise CommandError(f"factcheck-match gave no answer for {len(missing)} tips (first: {missing[0]}).")
    unknown = sorted({m.tier for m in matches.values()} - set(TIERS))
    if unknown:
        raise CommandError(f"factcheck-match gave unknown tiers: {', '.join(unknown)}.")
    return matches


def baseline_scores(claims: dict[str, list[str]], tips: list[Tip]) -> list[tuple[str, float, float]]:
    """Per tip: the nearest claim by cosine over raw character 2–4-grams (TF-IDF fitted on the claims'
    texts, scikit-learn's defaults otherwise), its score and the runner-up claim's score."""
    claim_ids = list(claims)
    owners, texts = [], []
    for index, claim_id in enumerate(claim_ids):
        for text in claims[claim_id]:
            owners.append(index)
            texts.append(text)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 4))
    similarities = linear_kernel(vectorizer.fit_transform(texts), vectorizer.transform([t.text for t in tips]))
    results = []
    for column in range(len(tips)):
        best_per_claim = [0.0] * len(claim_ids)
        for row, owner in enumerate(owners):
            best_per_claim[owner] = max(best_per_claim[owner], float(similarities[row, column]))
        ranked = sorted(range(len(claim_ids)), key=lambda i: -best_per_claim[i])
        runner_up = best_per_claim[ranked[1]] if len(ranked) > 1 else 0.0
        results.append((claim_ids[ranked[0]], best_per_claim[ranked[0]], runner_up))
    return results


def baseline_matches(scored: list[tuple[str, float, float]], tips: list[Tip], *, auto: float) -> dict[str, Match]:
    matches = {}
    for tip, (claim, score, _runner_up) in zip(tips, scored, strict=True):
        tier = "auto" if score >= auto else "suggest" if score >= BASELINE_SUGGEST else "none"
        matches[tip.id] = Match(claim=claim, score=score, tier=tier)
    return matches


def tuned_auto_threshold(scored: list[tuple[str, float, float]], tips: list[Tip]) -> float:
    """The lowest auto threshold at which the baseline makes no wrong auto-link on this very set."""
    wrong_scores = [score for tip, (claim, score, _) in zip(tips, scored, strict=True) if claim != tip.claim]
    return min(1.0, max(wrong_scores, default=0.0) + 1e-9)


# --- the throw-away database ------------------------------------------------------------------------------
# The same approach as `sangathan bench` (sangathan/benchmarks/management/commands/bench.py), which this app
# may not import (benchmarks sits at the project level, above the apps): Django's own test-database
# creation, destroyed in a `finally`. Quality needs no realistic timings, so SQLite gets an in-memory one.


def inside_test_database() -> bool:
    """Whether the default connection already points at a test database (as under pytest)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return True
    if Path(str(settings_dict.get("NAME") or "")).name.startswith("test_"):
        return True
    test_name = (settings_dict.get("TEST") or {}).get("NAME")
    return bool(test_name) and settings_dict.get("NAME") == test_name


@contextmanager
def throwaway_database(*, verbosity: int, log):
    if inside_test_database():
        log(f"Already in a test database ({connection.settings_dict['NAME']}): using it.")
        yield
        return
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    test_settings = settings_dict.setdefault("TEST", {})
    old_test_name = test_settings.get("NAME")
    # SQLite: None is Django's in-memory test database. PostgreSQL: not test_<name>, which a test run of the
    # project on the same server may be using.
    test_settings["NAME"] = None if connection.vendor == "sqlite" else f"test_{old_name}_factcheck_quality"
    previous_handler = None
    if threading.current_thread() is threading.main_thread():
        # A plain `kill` should clean up too: SIGTERM becomes SystemExit, so the finally below runs.
        previous_handler = signal.signal(signal.SIGTERM, lambda signum, frame: _exit(signum))
    try:
        name = connection.creation.create_test_db(
            verbosity=max(verbosity - 1, 0), autoclobber=True, serialize=False, keepdb=False
        )
        log(f"Throw-away database: {name}")
        yield
    finally:
        try:
            if settings_dict["NAME"] != old_name:
                connection.creation.destroy_test_db(old_name, verbosity=max(verbosity - 1, 0), keepdb=False)
                log("Throw-away database destroyed.")
        finally:
            test_settings["NAME"] = old_test_name
            if previous_handler is not None:
                signal.signal(signal.SIGTERM, previous_handler)


def _exit(signum: int):
    raise SystemExit(128 + signum)


# --- the table ----------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def format_table(rows: list[Row]) -> str:
    header = (
        "matcher",
        "tips",
        "repeating",
        "right claim first",
        "auto-linked right",
        "wrong auto-links",
        "suggested",
        "repeating none",
        "wrongly auto-linked",
        "suggested ",
    )
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.who,
                row.group,
                str(row.repeating),
                _pct(pct(row.right_first, row.repeating)),
                _pct(pct(row.auto_right, row.repeating)),
                str(row.auto_wrong),
                _pct(pct(row.suggested, row.repeating)),
                str(row.other),
                str(row.other_auto),
                _pct(pct(row.other_suggested, row.other)),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def render(cells) -> str:
        padded = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join("-" * w if i < 2 else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |"
    return "\n".join([render(lines[0]), rule] + [render(line) for line in lines[1:]])


def verdicts(row: Row) -> list[str]:
    right_first, auto_right = pct(row.right_first, row.repeating), pct(row.auto_right, row.repeating)

    def mark(passed: bool) -> str:
        return "✓" if passed else "✗"

    return [
        f"{mark(right_first is not None and right_first >= TARGET_RIGHT_FIRST)} right claim first "
        f"{_pct(right_first)} (target ≥ {TARGET_RIGHT_FIRST:.0f}%)",
        f"{mark(auto_right is not None and auto_right >= TARGET_AUTO_RIGHT)} auto-linked to the right claim "
        f"{_pct(auto_right)} (target ≥ {TARGET_AUTO_RIGHT:.0f}%)",
        f"{mark(row.wrong_auto_links <= TARGET_WRONG_AUTO)} wrong auto-links {row.wrong_auto_links} "
        f"({row.auto_wrong} repeating + {row.other_auto} repeating none; target {TARGET_WRONG_AUTO})",
    ]


def misses(tips: list[Tip], matches: dict[str, Match], limit: int) -> list[str]:
    """The matcher's failures, worst first: wrong auto-links, then wrong first claims, then missed autos."""
    kinds = (
        ("wrong auto-link", lambda tip, m: m.tier == "auto" and m.claim != (tip.claim or None)),
        ("wrong claim first", lambda tip, m: bool(tip.claim) and m.tier != "auto" and m.claim != tip.claim),
        ("right but not auto", lambda tip, m: bool(tip.claim) and m.tier != "auto" and m.claim == tip.claim),
    )
    lines = []
    for name, test in kinds:
        found = [tip for tip in tips if test(tip, matches[tip.id])]
        if not found:
            continue
        lines.append(f"{name}: {len(found)}")
        for tip in found[:limit]:
            m = matches[tip.id]
            text = " ".join(tip.text.split())
            lines.append(
                f"  {tip.id} [{tip.lang or '?'}] {text[:110]!r}\n"
                f"      expected {tip.claim or '(none)'}; got {m.claim} {m.score:.3f} {m.tier}"
            )
    return lines


# --- cross-validation of the auto thresholds ----------------------------------------------------------------
# The thresholds are chosen on a labelled set, and the acceptance check uses another one. This shows how
# a choice carries over: the claims are split in two halves (by a hash of their id, so the split is fixed);
# a tip goes with the claim it repeats, or, repeating none, with its best claim (the one it could be
# wrongly linked to). On each half, the auto score and margin with no wrong auto-link and the most right
# ones; then what they give on the other half.

CV_SCORES = tuple(round(0.40 + 0.025 * step, 3) for step in range(13))  # 0.40 .. 0.70
CV_MARGINS = tuple(round(0.20 + 0.01 * step, 2) for step in range(26))  # 0.20 .. 0.45


@dataclass(frozen=True)
class Scored:
    """A tip's best claim with its score, its margin over the runner-up claim and its key's length."""

    tip: Tip
    claim: str | None
    score: float
    margin: float
    chars: int

    def auto(self, score: float, margin: float, min_chars: int) -> bool:
        return self.score >= score and self.margin >= margin and self.chars >= min_chars

    @property
    def right(self) -> bool:
        return bool(self.tip.claim) and self.claim == self.tip.claim


def scored_tips(tips: list[Tip]) -> list[Scored]:
    """Each tip's best two claims through the matcher (``match_ranked``, the desk's path)."""
    result = []
    for tip in tips:
        ranked = match_ranked(tip.text, limit=2)
        best = ranked[0] if ranked else None
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        score = best.score if best else 0.0
        result.append(
            Scored(
                tip=tip,
                claim=best.claim_id if best else None,
                score=score,
                margin=round(score - runner_up, 4),
                chars=len(normalise(tip.text)),
            )
        )
    return result


def half_of(item: Scored) -> int:
    claim = item.tip.claim or item.claim or item.tip.id
    return zlib.crc32(claim.encode()) % 2


def count_auto(items: list[Scored], score: float, margin: float, min_chars: int) -> tuple[int, int]:
    """(auto-linked right, auto-linked wrong) at these thresholds."""
    autos = [item for item in items if item.auto(score, margin, min_chars)]
    right = sum(item.right for item in autos)
    return right, len(autos) - right


def choose_thresholds(items: list[Scored], min_chars: int) -> tuple[float, float] | None:
    """The (score, margin) with no wrong auto-link and the most right ones; ties go to the higher margin,
    then the higher score (the safer of equals). None when every point of the grid links something wrongly."""
    best: tuple[tuple[int, float, float], tuple[float, float]] | None = None
    for score in CV_SCORES:
        for margin in CV_MARGINS:
            right, wrong = count_auto(items, score, margin, min_chars)
            if wrong:
                continue
            rank = (right, margin, score)
            if best is None or rank > best[0]:
                best = (rank, (score, margin))
    return None if best is None else best[1]


def cross_validation(items: list[Scored], *, min_chars: int, shipped: tuple[float, float]) -> list[str]:
    halves = [[item for item in items if half_of(item) == half] for half in (0, 1)]
    repeating = [sum(1 for item in half if item.tip.claim) for half in halves]
    lines = [
        "Cross-validation of the auto thresholds (claims split in two halves by a hash of their id; a tip goes "
        "with its claim, or, repeating none, with its best claim; minimum length "
        f"{min_chars}):"
    ]
    total_right = total_wrong = 0
    for train, test in ((0, 1), (1, 0)):
        chosen = choose_thresholds(halves[train], min_chars)
        if chosen is None:
            lines.append(f"  half {train}: no thresholds on the grid without a wrong auto-link")
            continue
        right, wrong = count_auto(halves[test], *chosen, min_chars)
        total_right, total_wrong = total_right + right, total_wrong + wrong
        train_right, _ = count_auto(halves[train], *chosen, min_chars)
        lines.append(
            f"  chosen on half {train} (score ≥ {chosen[0]:.3f}, margin ≥ {chosen[1]:.2f}; there "
            f"{train_right}/{repeating[train]} right): on half {test} auto-linked right {right}/{repeating[test]} "
            f"({_pct(pct(right, repeating[test]))}), wrong {wrong}"
        )
    everyone = sum(repeating)
    lines.append(
        f"  held out, both ways: auto-linked right {total_right}/{everyone} ({_pct(pct(total_right, everyone))}), "
        f"wrong {total_wrong}"
    )
    for half in (0, 1):
        right, wrong = count_auto(halves[half], *shipped, min_chars)
        lines.append(
            f"  the configured thresholds (score ≥ {shipped[0]:.2f}, margin ≥ {shipped[1]:.2f}) on half {half}: "
            f"right {right}/{repeating[half]} ({_pct(pct(right, repeating[half]))}), wrong {wrong}"
        )
    return lines


class Command(BaseCommand):
    help = (
        "Measure the fact-check matcher on a labelled set (default: the one shipped in sangathan/factcheck/data): "
        "load its claims with factcheck-load into a throw-away database, match its tips with factcheck-match, "
        "and print one table with a character n-gram TF-IDF baseline. Never touches the configured database."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", default=str(DEFAULT_DATA), help="Folder with claims.csv, tips.csv and tips_meta.csv."
        )
        parser.add_argument(
            "--misses",
            dest="show_misses",
            type=int,
            default=0,
            metavar="N",
            help="Also list up to N of the matcher's misses of each kind.",
        )
        parser.add_argument(
            "--cross-validate",
            action="store_true",
            help="Also choose the auto thresholds on one half of the claims and count them on the other, both ways.",
        )

    def handle(self, *args, data, show_misses=0, cross_validate=False, **options):
        verbosity = options["verbosity"]

        def log(message: str) -> None:
            if verbosity:
                self.stderr.write(message)

        claims_path, claims, tips_path, tips = read_set(Path(data))
        with throwaway_database(verbosity=verbosity, log=log):
            call_command("factcheck_load", str(claims_path), stdout=StringIO(), stderr=StringIO())
            output = StringIO()
            call_command("factcheck_match", str(tips_path), stdout=output, stderr=StringIO())
            scored = scored_tips(tips) if cross_validate else []
        matched = parse_matches(output.getvalue(), tips)

        baseline = baseline_scores(claims, tips)
        tuned = tuned_auto_threshold(baseline, tips)
        rows = rows_for("matcher", tips, matched)
        rows += rows_for(
            f"baseline (auto ≥ {BASELINE_AUTO:.2f})", tips, baseline_matches(baseline, tips, auto=BASELINE_AUTO)
        )
        rows.append(
            summarise(
                f"baseline (auto ≥ {tuned:.2f}, tuned)", "all", tips, baseline_matches(baseline, tips, auto=tuned)
            )
        )

        self.stdout.write(
            f"{len(claims)} claims, {sum(1 for t in tips if t.claim)} tips that repeat one, "
            f"{sum(1 for t in tips if not t.claim)} that repeat none ({data}).\n"
        )
        self.stdout.write(format_table(rows))
        self.stdout.write(
            f"\nBaseline: character 2–4-gram TF-IDF (scikit-learn, no normalisation), nearest claim by cosine; "
            f"suggest ≥ {BASELINE_SUGGEST:.2f}. The tuned row's auto threshold is the lowest with no wrong "
            f"auto-link on this set: a best case, not a fair one.\n"
        )
        self.stdout.write("Matcher against the targets:")
        for line in verdicts(rows[0]):
            self.stdout.write(f"  {line}")
        if cross_validate:
            self.stdout.write("")
            shipped = (settings.FACTCHECK_AUTO_SCORE, settings.FACTCHECK_AUTO_MARGIN)
            for line in cross_validation(scored, min_chars=settings.FACTCHECK_AUTO_MIN_CHARS, shipped=shipped):
                self.stdout.write(line)
        if show_misses:
            self.stdout.write("")
            for line in misses(tips, matched, show_misses):
                self.stdout.write(line)
