"""``sangathan factcheck-quality``: the labelled set, the table's arithmetic, the baseline and a run on a slice."""

import csv
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection

from sangathan.factcheck.management.commands import factcheck_quality as quality
from sangathan.testing import require


def read(name: str) -> list[dict[str, str]]:
    with (quality.DEFAULT_DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_the_shipped_set_has_what_the_issue_asks():
    claims, tips, meta = read("claims.csv"), read("tips.csv"), read("tips_meta.csv")
    languages_per_claim: dict[str, set[str]] = {}
    for row in claims:
        languages_per_claim.setdefault(row["id"], set()).add(row["lang"])
    assert len(languages_per_claim) >= 100
    assert all(languages == {"hi", "en"} for languages in languages_per_claim.values())
    assert all(re.search("[\u0900-\u097f]", row["text"]) for row in claims if row["lang"] == "hi")

    repeating = [tip for tip in tips if tip["claim"]]
    assert len(repeating) >= 300 and len(tips) - len(repeating) >= 200
    per_claim = Counter(tip["claim"] for tip in repeating)
    assert set(per_claim) == set(languages_per_claim)
    assert all(2 <= count <= 4 for count in per_claim.values())
    assert len({tip["id"] for tip in tips}) == len(tips)

    kinds = {row["id"]: row for row in meta}
    assert set(kinds) == {tip["id"] for tip in tips}
    assert all(kinds[tip["id"]]["kind"] == ("repeat" if tip["claim"] else "close") for tip in tips)
    by_language = Counter((kinds[tip["id"]]["kind"], kinds[tip["id"]]["lang"]) for tip in tips)
    for kind in ("repeat", "close"):
        assert all(by_language[kind, lang] >= 90 for lang in ("hi", "hinglish", "en"))


def test_the_table_counts_each_kind_of_outcome():
    tips = [
        quality.Tip("a", "", "c1", "hi"),  # right, auto
        quality.Tip("b", "", "c1", "hi"),  # wrong claim, auto
        quality.Tip("c", "", "c2", "en"),  # right, suggest
        quality.Tip("d", "", "c2", "en"),  # wrong claim, none
        quality.Tip("e", "", "", "hinglish"),  # repeats none, auto: a wrong auto-link
        quality.Tip("f", "", "", "hinglish"),  # repeats none, suggest
        quality.Tip("g", "", "", "en"),  # repeats none, nothing
    ]
    matches = {
        "a": quality.Match("c1", 0.9, "auto"),
        "b": quality.Match("c2", 0.9, "auto"),
        "c": quality.Match("c2", 0.6, "suggest"),
        "d": quality.Match(None, 0.1, "none"),
        "e": quality.Match("c1", 0.95, "auto"),
        "f": quality.Match("c2", 0.5, "suggest"),
        "g": quality.Match("c2", 0.2, "none"),
    }
    rows = quality.rows_for("m", tips, matches)
    everything = rows[0]
    assert (everything.repeating, everything.right_first, everything.auto_right, everything.auto_wrong) == (4, 2, 1, 1)
    assert (everything.suggested, everything.other, everything.other_auto, everything.other_suggested) == (1, 3, 1, 1)
    assert everything.wrong_auto_links == 2
    by_group = {row.group: row for row in rows}
    assert (by_group["Hindi"].repeating, by_group["Hindi"].right_first, by_group["Hindi"].auto_wrong) == (2, 1, 1)
    assert (by_group["English"].repeating, by_group["English"].other, by_group["English"].suggested) == (2, 1, 1)
    assert (by_group["Hinglish"].repeating, by_group["Hinglish"].other_auto) == (0, 1)

    table = quality.format_table(rows)
    assert "| m " in table and "50.0%" in table and "25.0%" in table and "33.3%" in table
    assert "—" in table  # Hinglish has no repeating tip: no percentage, not 0%
    lines = quality.verdicts(everything)
    assert lines[0].startswith("✗ right claim first 50.0%")
    assert lines[2].startswith("✗ wrong auto-links 2 (1 repeating + 1 repeating none")


def test_the_baseline_finds_a_copied_claim_and_not_an_unrelated_text():
    claims = {
        "notes": ["कल से ₹2000 के नोट बंद", "₹2000 notes banned from tomorrow"],
        "polling": ["राज्य में मतदान 5 मई को होगा", "Polling in the state will be held on 5 May"],
    }
    tips = [
        quality.Tip("t1", "₹2000 notes banned from tomorrow", "notes", "en"),
        quality.Tip("t2", "राज्य में मतदान 5 मई को होगा", "polling", "hi"),
        quality.Tip("t3", "zzzz qqqq xxxx", "", "en"),
    ]
    scored = quality.baseline_scores(claims, tips)
    assert [claim for claim, _score, _runner_up in scored[:2]] == ["notes", "polling"]
    assert scored[0][1] == pytest.approx(1.0) and scored[1][1] == pytest.approx(1.0)
    assert scored[2][1] < quality.BASELINE_SUGGEST
    matches = quality.baseline_matches(scored, tips, auto=quality.BASELINE_AUTO)
    assert [matches[t].tier for t in ("t1", "t2", "t3")] == ["auto", "auto", "none"]
    # Tuned on this set, the threshold sits just above the highest score of a wrong nearest claim (t3's).
    assert quality.tuned_auto_threshold(scored, tips) == pytest.approx(scored[2][1], abs=1e-6)


def test_a_set_that_does_not_hold_together_is_refused(tmp_path):
    write(tmp_path / "claims.csv", ["id", "lang", "text"], [["c1", "en", "Polling on 5 May"]])
    write(tmp_path / "tips.csv", ["id", "text", "claim"], [["t1", "voting 5 may ko", "c9"]])
    with pytest.raises(CommandError, match="row 2: claim 'c9' is not in claims.csv"):
        call_command("factcheck_quality", data=str(tmp_path), stdout=StringIO(), stderr=StringIO())
    (tmp_path / "tips.csv").unlink()
    with pytest.raises(CommandError, match="tips.csv not found"):
        call_command("factcheck_quality", data=str(tmp_path), stdout=StringIO(), stderr=StringIO())


def test_outside_a_test_database_it_makes_one_and_always_destroys_it(monkeypatch):
    """Faked like the bench's own test: create and destroy are recorded, the configured name is restored."""
    calls = []
    settings_dict = connection.settings_dict
    real_name = settings_dict["NAME"]

    def create_test_db(**kwargs):
        calls.append(("create", kwargs["keepdb"]))
        settings_dict["NAME"] = "throwaway"
        return "throwaway"

    def destroy_test_db(old_name, **kwargs):
        calls.append(("destroy", old_name))
        settings_dict["NAME"] = old_name

    monkeypatch.setattr(quality, "inside_test_database", lambda: False)
    monkeypatch.setattr(connection.creation, "create_test_db", create_test_db)
    monkeypatch.setattr(connection.creation, "destroy_test_db", destroy_test_db)
    test_name_before = settings_dict.get("TEST", {}).get("NAME")
    try:
        with pytest.raises(RuntimeError), quality.throwaway_database(verbosity=0, log=lambda message: None):
            raise RuntimeError("boom")
    finally:
        settings_dict["NAME"] = real_name
    assert calls == [("create", False), ("destroy", real_name)]
    assert settings_dict["TEST"].get("NAME") == test_name_before


def matcher_row(output: str) -> list[str]:
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[:2] == ["matcher", "all"]:
            return cells
    raise AssertionError(f"no matcher row in:\n{output}")


@pytest.mark.django_db
def test_a_slice_of_the_set_through_the_matcher_cli(tmp_path):
    commands = get_commands()
    require(
        "The matcher's CLI (factcheck-load, factcheck-match)",
        present="factcheck_load" in commands and "factcheck_match" in commands,
        make_test="runs it once the fact-check matcher is in the tree",
    )
    claims = read("claims.csv")
    kept = list(dict.fromkeys(row["id"] for row in claims))[:10]
    write(
        tmp_path / "claims.csv",
        ["id", "lang", "text"],
        [[r["id"], r["lang"], r["text"]] for r in claims if r["id"] in kept],
    )
    tips = read("tips.csv")
    repeating = [tip for tip in tips if tip["claim"] in kept][:14]
    others = [tip for tip in tips if not tip["claim"]][:6]
    sliced = repeating + others
    write(tmp_path / "tips.csv", ["id", "text", "claim"], [[t["id"], t["text"], t["claim"]] for t in sliced])
    meta = {row["id"]: row for row in read("tips_meta.csv")}
    write(tmp_path / "tips_meta.csv", ["id", "lang"], [[t["id"], meta[t["id"]]["lang"]] for t in sliced])

    out = StringIO()
    call_command("factcheck_quality", data=str(tmp_path), misses=3, stdout=out, stderr=StringIO())
    output = out.getvalue()
    assert "10 claims, 14 tips that repeat one, 6 that repeat none" in output
    row = matcher_row(output)
    assert row[2] == "14" and row[7] == "6"

    # The same numbers, counted here from the matcher's own answers.
    answers = StringIO()
    call_command("factcheck_match", str(tmp_path / "tips.csv"), stdout=answers)
    parsed = quality.parse_matches(
        answers.getvalue(), [quality.Tip(t["id"], t["text"], t["claim"], "") for t in sliced]
    )
    right_first = sum(parsed[t["id"]].claim == t["claim"] for t in repeating)
    auto_right = sum(parsed[t["id"]].claim == t["claim"] and parsed[t["id"]].tier == "auto" for t in repeating)
    auto_wrong = sum(parsed[t["id"]].claim != t["claim"] and parsed[t["id"]].tier == "auto" for t in repeating)
    autos = sum(parsed[t["id"]].tier == "auto" for t in repeating)
    assert row[3] == f"{100 * right_first / 14:.1f}%"
    assert row[4] == f"{100 * auto_right / 14:.1f}%"
    assert row[5] == str(auto_wrong)
    assert row[8] == str(sum(parsed[t["id"]].tier == "auto" for t in others))

    # Label every repeating tip with a claim the matcher did not put first: the table must follow.
    def elsewhere(tip) -> str:
        return next(claim for claim in kept if claim != parsed[tip["id"]].claim)

    write(
        tmp_path / "tips.csv",
        ["id", "text", "claim"],
        [[t["id"], t["text"], elsewhere(t)] for t in repeating] + [[t["id"], t["text"], ""] for t in others],
    )
    out = StringIO()
    call_command("factcheck_quality", data=str(tmp_path), stdout=out, stderr=StringIO())
    relabelled = matcher_row(out.getvalue())
    assert relabelled[3] == "0.0%" and relabelled[4] == "0.0%"
    assert relabelled[5] == str(autos)


def _scored(tip_id: str, claim: str, best: str, score: float, margin: float, chars: int = 40) -> quality.Scored:
    return quality.Scored(tip=quality.Tip(tip_id, "", claim, "en"), claim=best, score=score, margin=margin, chars=chars)


def test_cross_validation_chooses_on_one_half_and_counts_on_the_other():
    # Two claims that fall in different halves, so each half trains the other's thresholds.
    a, b = "notes-2000-ban-tomorrow", "polling-on-5-may"
    assert quality.zlib.crc32(a.encode()) % 2 != quality.zlib.crc32(b.encode()) % 2
    items = [
        _scored("a1", a, a, 0.70, 0.40),
        _scored("a2", a, a, 0.60, 0.30),
        _scored("a3", "", a, 0.65, 0.25),  # repeats none, nearest a: any margin ≤ 0.25 links it wrongly
        _scored("a4", a, a, 0.90, 0.50, chars=10),  # too short to auto-link at any score
        _scored("b1", b, b, 0.60, 0.22),
        _scored("b2", b, a, 0.50, 0.21),  # b's tip with a first: wrong when linked, and it goes with b's half
    ]
    halves = {item.tip.id: quality.half_of(item) for item in items}
    assert halves["a3"] == halves["a1"] and halves["b2"] == halves["b1"] != halves["a1"]

    a_half = [item for item in items if halves[item.tip.id] == halves["a1"]]
    # The widest margin that still links both right ones above a3's 0.25, then the highest score.
    assert quality.choose_thresholds(a_half, 25) == (0.6, 0.3)
    assert quality.count_auto(a_half, 0.6, 0.3, 25) == (2, 0)
    b_half = [item for item in items if halves[item.tip.id] == halves["b1"]]
    assert quality.choose_thresholds(b_half, 25) == (0.6, 0.22)

    lines = quality.cross_validation(items, min_chars=25, shipped=(0.55, 0.35))
    # a's thresholds (0.60 / 0.30) link nothing of b's half; b's (0.60 / 0.22) link a1, a2 and, wrongly, a3.
    assert "held out, both ways: auto-linked right 2/5 (40.0%), wrong 1" in lines[-3]
    assert lines[-2].endswith("right 1/3 (33.3%), wrong 0") or lines[-1].endswith("right 1/3 (33.3%), wrong 0")


def test_no_thresholds_on_the_grid_when_every_point_links_wrongly():
    items = [_scored("w", "polling-on-5-may", "notes-2000-ban-tomorrow", 0.99, 0.99)]
    assert quality.choose_thresholds(items, 25) is None
    assert any(
        "no thresholds on the grid" in line
        for line in quality.cross_validation(items, min_chars=25, shipped=(0.55, 0.35))
    )
