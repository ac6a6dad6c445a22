"""The matcher: tiers (auto needs score, margin and length together), best text per claim, numbers and
negations, and an index that follows the database without rebuilding for each new claim."""

import pytest
from django.test import override_settings

from sangathan.factcheck import matching
from sangathan.factcheck.matching import AUTO, NONE, SUGGEST, ClaimIndex, Match, Thresholds, tier_for
from sangathan.factcheck.models import Claim, ClaimText
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import claim_create

T = Thresholds(auto_score=0.65, auto_margin=0.32, auto_min_chars=25, suggest_score=0.45)

CLAIMS = {
    "notes-2000": {
        "hi": "कल से ₹2000 के नोट बंद, आधी रात के बाद कोई दुकान या बैंक इन्हें नहीं लेगा",
        "en": "₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight",
    },
    "notes-500": {
        "hi": "कल से ₹500 के नोट बंद होंगे, आज ही बैंक जाकर बदल लें",
        "en": "₹500 notes will be banned from tomorrow; exchange them at your bank today",
    },
    "evm-hacked": {
        "hi": "ईवीएम मशीन को ब्लूटूथ से हैक किया जा सकता है, वीडियो देखें",
        "en": "EVMs can be hacked with Bluetooth from a phone, watch the video",
    },
    "polling-5-may": {
        "hi": "राज्य में मतदान 5 मई को होगा",
        "en": "Polling in the state will be held on 5 May",
    },
}


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget_index()
    yield
    matching.forget_index()


@pytest.fixture
def index() -> ClaimIndex:
    built = ClaimIndex()
    built.build([(claim, normalise(text)) for claim, texts in CLAIMS.items() for text in texts.values()])
    return built


def search(index: ClaimIndex, text: str) -> Match:
    return index.search([normalise(text)], T)[0]


# ---------------------------------------------------------------- tiers


def test_auto_when_all_three_hold_at_the_threshold():
    assert tier_for(score=0.65, margin=0.32, chars=25, thresholds=T) == AUTO


@pytest.mark.parametrize(
    ("score", "margin", "chars"),
    [(0.6499, 0.9, 200), (0.99, 0.3199, 200), (0.99, 0.9, 24)],
    ids=["score just below", "margin just below", "one character short"],
)
def test_one_condition_short_is_not_auto(score, margin, chars):
    assert tier_for(score=score, margin=margin, chars=chars, thresholds=T) == SUGGEST


def test_suggest_and_none_edges():
    assert tier_for(score=0.45, margin=0.0, chars=5, thresholds=T) == SUGGEST
    assert tier_for(score=0.4499, margin=0.4499, chars=500, thresholds=T) == NONE


@override_settings(
    FACTCHECK_AUTO_SCORE=0.9, FACTCHECK_AUTO_MARGIN=0.5, FACTCHECK_AUTO_MIN_CHARS=7, FACTCHECK_SUGGEST_SCORE=0.2
)
def test_thresholds_come_from_the_settings():
    assert Thresholds.from_settings() == Thresholds(0.9, 0.5, 7, 0.2)


# ---------------------------------------------------------------- the index


def test_a_repeat_in_hinglish_is_auto_linked_to_the_hindi_text(index):
    match = search(
        index, "Forwarded many times: kal se 2000 ke note band, aadhi raat ke baad koi dukaan ya bank inhe nahi lega"
    )
    assert match == Match("notes-2000", match.score, AUTO)
    assert match.score >= T.auto_score


def test_a_repeat_in_english_meets_the_english_text(index):
    match = search(index, "2000 rupee notes banned from tomorrow!! No shop or bank will accept them after midnight 😱")
    assert (match.claim_id, match.tier) == ("notes-2000", AUTO)


def test_the_look_alike_with_another_amount_is_not_auto_linked(index):
    # ₹200 notes: the nearest claim is the ₹2000 one, but the numbers disagree.
    match = search(index, "kal se 200 ke note band, aadhi raat ke baad koi dukaan ya bank inhe nahi lega")
    assert match.tier != AUTO


def test_the_look_alike_with_another_date_is_not_auto_linked(index):
    match = search(index, "राज्य में मतदान 7 मई को होगा")
    assert match.tier != AUTO
    assert search(index, "राज्य में मतदान 5 मई को होगा").claim_id == "polling-5-may"


def test_a_negation_lowers_the_score(index):
    said = search(index, "EVM machine ko bluetooth se hack kiya ja sakta hai video dekho")
    denied = search(index, "EVM machine ko bluetooth se hack nahi kiya ja sakta video dekho")
    assert said.claim_id == denied.claim_id == "evm-hacked"
    assert denied.score < said.score


def test_a_short_tip_is_never_auto_linked(index):
    match = search(index, "2000 ke note band")
    assert match.claim_id == "notes-2000"
    assert match.tier != AUTO  # 17 characters: too little to be sure, however well it matches


def test_an_unrelated_message_names_the_nearest_claim_with_tier_none(index):
    match = search(index, "aaj mausam bahut accha hai, chalo picnic chalte hain")
    assert match.tier == NONE
    assert 0.0 <= match.score < T.suggest_score


def test_nothing_in_common_gives_no_claim(index):
    assert search(index, "😱😱😱") == Match(None, 0.0, NONE)
    assert index.search(["ঢঢঢঢ"], T) == [Match(None, 0.0, NONE)]


def test_an_empty_index_matches_nothing():
    assert ClaimIndex().search([normalise("kal se 2000 ke note band")], T) == [Match(None, 0.0, NONE)]


def test_a_claim_is_scored_by_its_best_text(index):
    # Both texts belong to one claim: the runner-up is another claim, not the claim's other language.
    match = search(index, "₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight")
    assert match.claim_id == "notes-2000" and match.tier == AUTO and match.score > 0.95


def test_scores_are_between_0_and_1(index):
    for text in ["x", "kal se 2000 ke note band", CLAIMS["evm-hacked"]["en"] * 3, "5 5 5 5 5 5"]:
        assert 0.0 <= search(index, text).score <= 1.0


def test_many_tips_at_once_give_the_same_answers_as_one_by_one(index):
    texts = [text for texts in CLAIMS.values() for text in texts.values()] + ["kuch bhi", ""]
    one_by_one = [search(index, text) for text in texts]
    assert index.search([normalise(text) for text in texts], T) == one_by_one


def test_adding_rows_appends_without_a_rebuild(index):
    vectorizer = index._vectorizer
    index.add([("ration-cut", normalise("जिनके पास फ्रिज या बाइक है उनका राशन कार्ड कटेगा"))])
    assert index._vectorizer is vectorizer  # same vocabulary: appended, not rebuilt
    assert search(index, "jinke paas fridge ya bike hai unka ration card katega").claim_id == "ration-cut"


def test_adding_past_a_fifth_of_the_index_rebuilds_it(index):
    vectorizer = index._vectorizer
    index.add([(f"extra-{i}", normalise(f"naya claim number {i} ke baare mein")) for i in range(5)])
    assert index._vectorizer is not vectorizer
    assert index.claim_count == len(CLAIMS) + 5


# ---------------------------------------------------------------- following the database


@pytest.mark.django_db
def test_match_text_reads_the_claims_from_the_database():
    for external_id, texts in CLAIMS.items():
        claim_create(external_id=external_id, texts=texts)
    match = matching.match_text("kal se 2000 ke note band, aadhi raat ke baad koi dukaan ya bank inhe nahi lega")
    assert (match.claim_id, match.tier) == ("notes-2000", AUTO)


@pytest.mark.django_db
def test_a_new_claim_reaches_the_index_without_a_rebuild(django_assert_max_num_queries):
    for external_id, texts in CLAIMS.items():
        claim_create(external_id=external_id, texts=texts)
    index = matching.sync()
    vectorizer = index._vectorizer
    claim_create(external_id="ration-cut", texts={"hi": "जिनके पास फ्रिज या बाइक है उनका राशन कार्ड कटेगा"})
    match = matching.match_text("jinke paas fridge ya bike hai unka ration card katega")
    assert match.claim_id == "ration-cut"
    assert matching.sync()._vectorizer is vectorizer
    with django_assert_max_num_queries(2):  # nothing changed: the last id and the last change, no rows read
        matching.match_text("kal se 2000 ke note band")


@pytest.mark.django_db
def test_a_changed_or_deleted_text_rebuilds_the_index(monkeypatch):
    monkeypatch.setattr(matching, "RECOUNT_SECONDS", 0)  # a deletion shows in the count
    for external_id, texts in CLAIMS.items():
        claim_create(external_id=external_id, texts=texts)
    assert matching.match_text("EVMs can be hacked with Bluetooth from a phone, watch the video").claim_id == (
        "evm-hacked"
    )
    text = ClaimText.objects.get(claim__external_id="evm-hacked", language="en")
    text.text = "Ration cards of families with a fridge or a motorbike will be cancelled"
    text.key = normalise(text.text)
    text.save()
    assert matching.match_text("ration cards of families with a fridge or motorbike cancelled").claim_id == (
        "evm-hacked"
    )
    Claim.objects.filter(external_id="evm-hacked").delete()
    assert matching.match_text("ration cards of families with a fridge or motorbike cancelled").claim_id != (
        "evm-hacked"
    )


@pytest.mark.django_db
def test_match_many_keeps_the_order():
    for external_id, texts in CLAIMS.items():
        claim_create(external_id=external_id, texts=texts)
    matches = matching.match_many([CLAIMS["polling-5-may"]["en"], CLAIMS["notes-500"]["hi"], ""])
    assert [match.claim_id for match in matches] == ["polling-5-may", "notes-500", None]


def test_the_index_vectorises_tips_as_scikit_learn_does(index):
    keys = [normalise(text) for texts in CLAIMS.values() for text in texts.values()] + ["", "zzzz qqq"]
    mine = index._vectorise(keys).toarray()
    theirs = index._vectorizer.transform(keys).toarray()
    assert abs(mine - theirs).max() < 1e-6


def test_common_n_grams_do_not_retrieve_but_the_repeat_is_still_found():
    # 300 claims sharing " kal se ... ke not band": their common n-grams are cut from retrieval, the
    # distinct ones (the amount, the place) still find the right claim.
    places = [f"sahar{i}" for i in range(300)]
    built = ClaimIndex()
    built.build([(f"c{i}", normalise(f"kal se {place} me 2000 ke note band honge")) for i, place in enumerate(places)])
    assert built._common is not None and built._common.any()
    match = built.search([normalise("Forwarded: kal se sahar123 me 2000 ke note band honge!!")], T)[0]
    assert match.claim_id == "c123"


@pytest.mark.django_db
def test_a_deletion_shows_in_the_next_count(monkeypatch):
    for external_id, texts in CLAIMS.items():
        claim_create(external_id=external_id, texts=texts)
    assert matching.match_text(CLAIMS["evm-hacked"]["en"]).claim_id == "evm-hacked"
    Claim.objects.filter(external_id="evm-hacked").delete()  # the last id and the last change stay the same
    assert matching.match_text(CLAIMS["evm-hacked"]["en"]).claim_id == "evm-hacked"  # not counted yet
    monkeypatch.setattr(matching, "RECOUNT_SECONDS", 0)
    assert matching.match_text(CLAIMS["evm-hacked"]["en"]).claim_id != "evm-hacked"


def test_a_number_only_one_side_names_lowers_the_score_less_than_a_clash():
    from sangathan.factcheck.matching import pair_score

    claim = normalise("Tatkal booking time changed to 10 am for all classes")
    same = pair_score(normalise("Tatkal booking time changed to 10 am for all classes"), claim, 0.8)
    added = pair_score(normalise("Tatkal booking time changed to 10 am for all classes and 11 am sleeper"), claim, 0.8)
    other = pair_score(normalise("Tatkal booking time changed to 11 am for all classes"), claim, 0.8)
    assert other < added < same
