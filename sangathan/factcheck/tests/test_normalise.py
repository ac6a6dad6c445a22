"""Normalised keys: the same rumour typed in Devanagari, Hinglish or with forwarding noise meets; different
rumours do not."""

import pytest

from sangathan.factcheck.normalise import clean, fold_word, normalise, numbers_in

# Each pair must give the same key.
SAME = [
    # The issue's example: Hinglish and Devanagari meet.
    ("kal se 2000 ke note band", "कल से 2000 के नोट बंद"),
    ("Kal se 2000 ke note bandh", "कल से २००० के नोट बंद"),
    # Forwarding noise, emojis, links, repeated punctuation, capitals.
    ("*Forwarded many times* कल से ₹2,000 के नोट बंद!!! 😱😱 https://bit.ly/x", "कल से 2000 के नोट बंद"),
    ("FORWARDED AS RECEIVED\nkal se 2000 ke note band...... pls share", "kal se 2000 ke note band"),
    ("फॉरवर्ड किया गया कल से 2000 के नोट बंद, सभी ग्रुप में भेजें", "कल से 2000 के नोट बंद"),
    ("kal se 2000 ke note band www.fake-news.in/abc share karo", "kal se 2000 ke note band"),
    ("👉👉 kal se 2000 ke note band 🙏🏽🇮🇳", "kal se 2000 ke note band"),
    # Zero-width and bidi characters.
    ("क\u200dल से 2000 के\u200b नोट बं\u200cद", "कल से 2000 के नोट बंद"),
    ("\u202ekal se 2000\u202c ke \ufeffnote band\u2066", "kal se 2000 ke note band"),
    # Nukta, chandrabindu, candra vowels.
    ("ज़्यादा", "ज्यादा"),
    ("फ़ोन", "फोन"),
    ("हँसी", "हंसी"),
    ("डॉक्टर", "डोक्टर"),
    ("पढ़ाई", "पढाई"),
    # Hinglish spellings: vowel length, w/v, ph/f, z/j, sh/s, doubled letters, aspiration, final schwa.
    ("sarkaar", "सरकार"),
    ("sarkar", "सरकार"),
    ("chunaav", "चुनाव"),
    ("chunav", "चुनाव"),
    ("tareekh", "तारीख"),
    ("tarikh", "तारीख"),
    ("afwaah", "अफ़वाह"),
    ("afvah", "अफवाह"),
    ("zyada", "ज़्यादा"),
    ("jyaada", "ज्यादा"),
    ("phone", "fone"),
    ("bharat", "भारत"),
    ("bharath", "भारत"),
    ("achchha", "अच्छा"),
    ("accha", "अच्छा"),
    ("gyaan", "ज्ञान"),
    ("kshetra", "क्षेत्र"),
    ("samajhdar", "समझदार"),
    ("badalna", "बदलना"),
    ("nahin", "नहीं"),
    ("nahi", "नहीं"),
    ("mein", "में"),
    ("hai", "है"),
    ("gayi", "गई"),
    ("gaye", "गए"),
    ("bank 5 din band rahenge", "bank paanch din band rahenge"),
    # Numbers: digits of any script, digit groups, number words, months.
    ("१२३", "123"),
    ("₹1,00,000", "100000"),
    ("दो हज़ार के नोट", "2000 के नोट"),
    ("do hazaar ke note", "2000 ke note"),
    ("two thousand notes", "2000 notes"),
    ("पाँच लाख", "500000"),
    ("5 lakh", "500000"),
    ("चार दिन", "char din"),
    ("25 मई को", "25 May ko"),
    ("पच्चीस मई", "25 may"),
    ("30 जून तक", "30 june tak"),
]

# Each pair must give different keys: the details look-alike rumours differ in.
DIFFERENT = [
    ("कल से 2000 के नोट बंद", "कल से 500 के नोट बंद"),
    ("25 मई को परिणाम", "25 अप्रैल को परिणाम"),
    ("kal", "kam"),
    ("do not share", "2 not share"),  # "do" alone is a word, not two
]


@pytest.mark.parametrize(("left", "right"), SAME)
def test_variants_meet(left, right):
    assert normalise(left) == normalise(right) != ""


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_different_rumours_stay_apart(left, right):
    assert normalise(left) != normalise(right)


def test_the_issue_example_key():
    assert normalise("kal se 2000 ke note band") == "kal se 2000 ke not band"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😱😱😱", "https://example.com/x", "!!!???...", "\u200b\u200d\u202e", "Forwarded many times"],
)
def test_nothing_left_gives_an_empty_key(text):
    assert normalise(text) == ""


def test_clean_keeps_the_script_and_drops_the_noise():
    assert clean("*Forwarded many times*\n\nकल से ₹२,००० के नोट बंद!!! 😱 https://t.co/x") == "कल से 2000 के नोट बंद"


def test_clean_folds_devanagari_variants():
    assert clean("ज़्यादा फ़ोन हँसी डॉक्टर") == "ज्यादा फोन हंसी डोक्टर"


def test_e_mail_addresses_and_bare_domains_are_dropped():
    assert normalise("write to rumour@example.org or see fake.co.in/x today") == normalise("write to or see today")


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("सरकार", "sarkar"),  # medial schwa dropped (V C a C V)
        ("कमल", "kamal"),  # two neighbouring schwas: only the last one goes
        ("समझदार", "samajdar"),
        ("बंद", "band"),  # anusvara before a consonant is a real n
        ("नहीं", "nahi"),  # final nasal vowel
        ("क", "ka"),  # one syllable keeps its vowel
    ],
)
def test_schwa_deletion_and_folding(word, key):
    assert fold_word(word) == key


def test_numbers_and_months_are_what_look_alikes_differ_in():
    assert numbers_in(normalise("कक्षा 10 का परिणाम 25 मई को")) == {"10", "25", "m5"}
    assert numbers_in(normalise("class ten result on twenty five may")) == {"10", "25", "m5"}
    assert numbers_in(normalise("you may share this")) == set()  # "may" with no number is a verb


def test_other_scripts_pass_through():
    assert normalise("২০০০ টাকার নোট বাতিল") == "2000 টাকার নোট বাতিল"


def test_long_text_is_normalised_quickly_enough_to_be_linear():
    text = "कल से 2000 के नोट बंद, सरकार ने घोषणा की। " * 200
    assert normalise(text).count("sarkar") == 200


def test_common_english_words_are_keyed_as_their_hindi_word():
    hindi = normalise("सरकारी स्कूल 30 जून तक बंद, अगले महीने परीक्षा")
    english = normalise("Govt schools closed till 30 June, exams next month")
    assert set(english.split()) >= {"skul", "band", "tak", "30", "m6", "pariks", "agl", "mahi"}
    assert {"skul", "band", "tak", "agl", "mahi", "pariks"} <= set(hindi.split())
    # Looked up as written, before folding: पास ("near", folds like "phase") and "paas" stay themselves.
    assert normalise("phase") == normalise("चरण") != normalise("पास") == normalise("paas")
