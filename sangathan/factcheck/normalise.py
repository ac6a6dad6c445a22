"""Normalised keys: one spelling for the same rumour typed in Devanagari, in Hinglish or with forwarding noise.

A rumour reaches the desk as "*Forwarded many times* कल से 2000 के नोट बंद!!! 😱 https://bit.ly/x", as
"kal se 2000 ke note band" and as "Kal se ₹2,000 ke notes bandh". The matcher compares *keys*, in which
these meet. ``normalise(text)`` builds the key in two steps:

1. **Cleaning** (``clean``), script kept: Unicode NFC; zero-width, bidi and other format characters
   dropped; Devanagari variants folded (nukta dropped — ज़→ज, फ़→फ, ड़→ड —, chandrabindu → anusvara,
   candra vowels ॉ/ॅ → ो/े); digits of any script → ASCII, digit groups joined ("2,000" → "2000");
   forwarding noise dropped ("Forwarded many times", "फॉरवर्ड", "share karo", links, e-mail addresses);
   punctuation, emojis and other symbols → space; lower case.
2. **A common Latin key** (``key_of_clean``): each Devanagari word loses its silent schwas (Hindi
   pronounces सरकार as "sarkār", not "sarakāra": the final schwa and a schwa between VC_CV go, Ohala's
   rule), is transliterated to IAST with ``indic-transliteration`` and stripped of diacritics; then
   every Latin word, from either source, is folded phonetically: vowel length (aa/a, ee/i, oo/u),
   ai/ei → e, au/ou → o, aspiration (kh, gh, ch, jh, th, dh, ph, bh, sh → one letter), w → v, z → j,
   f → p, q → k, x → ks, c → k except before h, doubled letters, final schwa and silent e of longer
   words, nasal n after a final vowel (नहीं = nahin = nahi). Common English words of public life, as
   written, become the key of their Hindi word first (``_ENGLISH_IN_HINDI``: "govt" → "sarkar").

The fold is deliberately lossy (it is a key, never shown): "band" and "bandh" meet, and so do "bola" and
"bole". The matcher scores character n-grams of these keys, so a lost distinction costs a little
similarity between look-alike claims, while a kept one would split every rumour into spellings.
"""

import re
import unicodedata
from functools import lru_cache

from indic_transliteration import sanscript

# ---------------------------------------------------------------- step 1: cleaning

# Format characters (Unicode category Cf: zero-width space/joiners, bidi marks and embeddings, the BOM,
# the soft hyphen, word joiners) are dropped outright; variation selectors and the keycap mark too.
_DROP_MARKS = {chr(c) for c in range(0xFE00, 0xFE10)} | {chr(c) for c in range(0xE0100, 0xE01F0)} | {"\u20e3"}

# Devanagari variants folded to one letter. Precomposed nukta letters (क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़) are
# decomposed by NFC itself (they are composition exclusions), so dropping the nukta sign covers them.
_DEVANAGARI_FOLD = str.maketrans(
    {
        "\u093c": None,  # nukta
        "\u0901": "\u0902",  # chandrabindu → anusvara
        "\u0900": "\u0902",  # inverted chandrabindu
        "\u0949": "\u094b",  # candra o matra (डॉक्टर) → o
        "\u094a": "\u094b",  # short o matra
        "\u0945": "\u0947",  # candra e matra → e
        "\u0946": "\u0947",  # short e matra
        "\u0911": "\u0913",  # candra O → ओ
        "\u0912": "\u0913",  # short O
        "\u090d": "\u090f",  # candra E → ए
        "\u090e": "\u090f",  # short E
        "\u093d": None,  # avagraha
        "\u0970": " ",  # abbreviation sign
        "\u0964": " ",  # danda
        "\u0965": " ",  # double danda
    }
)

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"  # full links
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|in|org|net|ly|me|io|co|info|gov|nic|app|link|gl)\b(?:/\S*)?"  # bare domains
    r"|\S+@\S+\.\w+",  # e-mail addresses
    re.IGNORECASE,
)
_DIGIT_GROUP_RE = re.compile(r"(?<=\d),(?=\d{2,3}\b)")  # 2,000 and 1,00,000 → one number

# Chain-message noise, written as people type it (matched after the Devanagari fold, on lower case).
_NOISE_PATTERNS = [
    r"forwarded\s+many\s+times",
    r"forwarded\s+as\s+received",
    r"forward\s+as\s+received",
    r"\bforwarded\b",
    r"\b(?:please\s+|pls\s+|plz\s+)?forward\s+(?:karo|karen|karein|kare|kijiye|this|it)\b",
    r"\bfwd\b",
    r"\b(?:please|pls|plz|must|maximum|max)\s+share\b",
    r"\bshare\s+(?:karo|karen|karein|kare|kijiye|kro|kro|this|it|with\s+all|to\s+all)\b",
    r"\b(?:sabhi|sab|all)\s+groups?\s+(?:me|mein|main|mai|men|in)\s+(?:bhejo|bheje|bhejen|bhejein|daalo|dalo|send)\b",
    r"\baage\s+(?:bhejo|bheje|bhejen|bhejein|forward\s+karo)\b",
    r"\bjitna\s+ho\s+sake\b",
    r"\bviral\s+(?:karo|karen|kare|karein)\b",
    # Headers and calls of chain messages.
    r"\bbreaking(?:\s+news)?\b",
    r"\burgent\b",
    r"\b(?:zaroori|jaruri|zaruri|jaroori)\s+(?:suchna|soochna|khabar)\b",
    r"\b(?:badi|bdi)\s+khabar\b",
    r"\b(?:bhaiyo|bhaiyon|doston|dosto)\s+dhyan\s+(?:do|de|den|dein)\b",
    r"\b(?:please\s+|pls\s+|plz\s+)?(?:send|forward)\s+(?:(?:this|it)\s+)?to\s+(?:\d+|all|every)\s*"
    r"(?:people|groups?|contacts|friends)?\b",
    r"\bshare\s+with\s+(?:family|friends|everyone|all)\b",
    r"\b\d+\s+(?:logon|logo|log)\s+(?:ko|ku)\s+(?:bhejo|bheje|bhejen|bhejein)\b",
    r"\b(?:apne|apni)\s+(?:gharwalon|gharwalo|parivar|family|doston)\s+(?:ko|ku)\s+(?:batao|bataye|batayein|bataein|bata\s+do|jarur\s+batao|zaroor\s+batao)\b",
    r"\bsab\s+(?:groups?|grp)\s+(?:me|mein|mai)\s+(?:bhejo|bheje|daalo|dalo)\b",
    r"फॉरवर्ड(?:ेड)?(?:\s+(?:करें|करो|करे|कीजिए|किया\s+गया))?",
    r"फारवर्ड(?:ेड)?(?:\s+(?:करें|करो|करे|कीजिए))?",
    r"शेयर\s+(?:करें|करो|करे|कीजिए|करना\s+न\s+भूलें)",
    r"(?:सभी|सब)\s+(?:ग्रुप|ग्रुपों|ग्रुप्स)\s+में\s+(?:भेजें|भेजो|भेजिए|डालें|डालो)",
    r"आगे\s+(?:भेजें|भेजो|भेजिए|बढ़ाएं|बढ़ाओ)",
    r"ज़्यादा\s+से\s+ज़्यादा|ज्यादा\s+से\s+ज्यादा",
    r"जितना\s+हो\s+सके",
    r"वायरल\s+(?:करें|करो|करे)",
    r"(?:ज़रूरी|जरूरी)\s+सूचना",
    r"बड़ी\s+खबर",
    r"सावधान",
    r"अपने\s+(?:परिवार|घरवालों|दोस्तों|परिजनों)\s+को\s+(?:ज़रूर|जरूर)?\s*(?:बताएं|बताएँ|बताओ|बताइए)",
    r"\d+\s+लोगों\s+को\s+(?:भेजें|भेजो)",
]
_NOISE_RE = re.compile(
    "|".join(unicodedata.normalize("NFC", p).translate(_DEVANAGARI_FOLD) for p in _NOISE_PATTERNS), re.IGNORECASE
)
_SPACES_RE = re.compile(r"\s+")
# Split where a run of digits meets letters ("2000के", "rs500"): a number is a word of its own.
_DIGIT_EDGE_RE = re.compile(r"(?<=\d)(?=[^\d\s])|(?<=[^\d\s])(?=\d)")


def _char_class(ch: str) -> str:
    """' ' for punctuation and symbols (emojis included), '' for format characters, else the character."""
    if ch in _DROP_MARKS:
        return ""
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""
    if category[0] in "PSZC":
        return " "
    if category == "Nd":
        return str(unicodedata.digit(ch))
    return ch


@lru_cache(maxsize=4096)
def _char(ch: str) -> str:
    return _char_class(ch)


def clean(text: str) -> str:
    """The text with noise removed and variants folded, in its own script (step 1 of the module docstring)."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = text.translate(_DEVANAGARI_FOLD)
    # Digits first (so "२,०००" groups like "2,000"), format characters out, then links and noise.
    text = "".join(ch if ch.isascii() and (ch.isalnum() or ch in " ,.:/@-_") else _char(ch) for ch in text)
    text = _URL_RE.sub(" ", text)
    text = _DIGIT_GROUP_RE.sub("", text)
    text = _NOISE_RE.sub(" ", text)
    text = "".join(_char(ch) if not ch.isalnum() and ch != " " else ch for ch in text)
    text = _DIGIT_EDGE_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


# ---------------------------------------------------------------- step 2: one Latin key

_VIRAMA = "\u094d"
_ANUSVARA = "\u0902"
_VISARGA = "\u0903"


def _is_consonant(ch: str) -> bool:
    return "\u0915" <= ch <= "\u0939" or "\u0978" <= ch <= "\u097f"


def _is_matra(ch: str) -> bool:
    return "\u093e" <= ch <= "\u094c" or ch in "\u0962\u0963\u094e\u094f\u0955\u0956\u0957"


def _is_vowel(ch: str) -> bool:
    return "\u0904" <= ch <= "\u0914" or ch in "\u0960\u0961\u0972"


def _drop_schwas(word: str) -> str:
    """The Devanagari ``word`` with a virama after each consonant whose inherent 'a' Hindi does not
    pronounce: the last one of a word of two syllables or more, and one between a vowel-bearing
    consonant and a single consonant with a vowel (V C a C V), scanning from the right so that two
    neighbouring schwas are never both dropped (कमल kamal, समझदार samajhdār, सरकार sarkār)."""
    # Syllables: [onset consonant positions, vowel kind ("inherent", "sign", "independent"), nasal]
    syllables: list[list] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if _is_consonant(ch):
            onset = [i]
            i += 1
            while i + 1 < n and word[i] == _VIRAMA and _is_consonant(word[i + 1]):
                onset.append(i + 1)
                i += 2
            if i < n and word[i] == _VIRAMA:  # a written halant at the end: no vowel at all
                syllables.append([onset, "none", False])
                i += 1
                continue
            kind = "inherent"
            if i < n and _is_matra(word[i]):
                kind = "sign"
                i += 1
            nasal = i < n and word[i] in (_ANUSVARA, _VISARGA)
            if nasal:
                i += 1
            syllables.append([onset, kind, nasal])
        elif _is_vowel(ch):
            i += 1
            nasal = i < n and word[i] in (_ANUSVARA, _VISARGA)
            if nasal:
                i += 1
            syllables.append([[], "independent", nasal])
        else:
            i += 1
    count = len(syllables)
    if count < 2:
        return word
    drop: set[int] = set()
    last = syllables[-1]
    if last[1] == "inherent" and not last[2]:
        drop.add(count - 1)
    for k in range(count - 2, 0, -1):
        onset, kind, nasal = syllables[k]
        following = syllables[k + 1]
        if (
            kind == "inherent"
            and not nasal
            and len(onset) == 1
            and len(following[0]) == 1
            and following[1] != "none"
            and (k + 1) not in drop
            and syllables[k - 1][1] != "none"
        ):
            drop.add(k)
    if not drop:
        return word
    positions = {syllables[k][0][-1] for k in drop}
    return "".join(ch + _VIRAMA if index in positions else ch for index, ch in enumerate(word))


_IAST_C_RE = re.compile(r"c(?!h)")
_IAST_FOLD = str.maketrans({"ṃ": "n", "ṁ": "n", "ḥ": "", "ṛ": "ri", "ṝ": "ri", "ḷ": "li", "~": "n"})


def _latin_of_devanagari(word: str) -> str:
    iast = sanscript.transliterate(_drop_schwas(word), sanscript.DEVANAGARI, sanscript.IAST)
    # IAST writes च as c and छ as ch; Hinglish writes both ch (and c means k in English words).
    iast = _IAST_C_RE.sub("ch", iast.replace("jñ", "gy").translate(_IAST_FOLD))
    stripped = unicodedata.normalize("NFD", iast)
    return "".join(ch for ch in stripped if not unicodedata.combining(ch) and ch.isascii())


_LETTER_MAP = str.maketrans({"x": "ks", "q": "k", "z": "j", "w": "v", "f": "p"})
_FOLDS = [
    (re.compile(r"ee|ii"), "i"),
    (re.compile(r"oo|uu"), "u"),
    (re.compile(r"(?<=[aeiou])y(?=[aeiou])"), ""),  # gayi/gai, gaye/gae, naya
    (re.compile(r"([a-z])\1+"), r"\1"),  # doubled letters (paani, accha, plzzz), before ai/au: aai → ai → e
    (re.compile(r"c(?!h)"), "k"),  # c of English words; च and छ are ch by now
    (re.compile(r"ai|ei"), "e"),
    (re.compile(r"au|ou"), "o"),
    (re.compile(r"(?<=[bcdgjklmnprstvy])h+"), ""),  # aspiration and sh/ch spellings (bharath, chhatra)
    (re.compile(r"([a-z])\1+"), r"\1"),  # doubles the aspiration left (achchha → acca → aca)
    (re.compile(r"(?<=[^aeiou])y$"), "i"),  # party / parti
]
_FINAL_VOWEL_RE = re.compile(r"(?<=[^aeiou])[ae]$")  # final schwa (mitra) and silent e (note), words of 4+
_FINAL_NASAL_RE = re.compile(r"(?<=[ieou])n$")  # nahin/nahi, mein/me (also phone/fon → po, alike on both sides)


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """The phonetic key of one word (Devanagari or Latin); digits and other scripts pass unchanged."""
    if any("\u0900" <= ch <= "\u097f" for ch in word):
        word = _latin_of_devanagari(word)
    if not word.isascii() or any(ch.isdigit() for ch in word):
        return word  # other scripts, numbers and month tokens ("m5") as they are
    word = word.translate(_LETTER_MAP)
    for pattern, replacement in _FOLDS:
        word = pattern.sub(replacement, word)
    if len(word) >= 4:
        word = _FINAL_VOWEL_RE.sub("", word)
    return _FINAL_NASAL_RE.sub("", word)


# ---------------------------------------------------------------- numbers written as words

# "दो हज़ार", "do hazaar", "two thousand" and "2000" are one number: the look-alike claims differ in
# their amounts and dates, so the key says them in digits. Words on the clean text (script kept), all
# spellings listed; the Latin words that are also common words ("do", "char", "sat", "nau" — "no" once
# folded —, "one", "ek") count only next to a multiplier or a digit ("do sau", "ek lakh") or before a
# counted noun ("char din", "ek january").
_HI_UNITS = {
    "एक": 1,
    "दो": 2,
    "तीन": 3,
    "चार": 4,
    "पांच": 5,
    "पाच": 5,
    "छह": 6,
    "छः": 6,
    "छ": 6,
    "छे": 6,
    "सात": 7,
    "आठ": 8,
    "नौ": 9,
    "दस": 10,
    "ग्यारह": 11,
    "बारह": 12,
    "तेरह": 13,
    "चौदह": 14,
    "पंद्रह": 15,
    "पन्द्रह": 15,
    "सोलह": 16,
    "सत्रह": 17,
    "अठारह": 18,
    "उन्नीस": 19,
    "बीस": 20,
    "पच्चीस": 25,
    "तीस": 30,
    "चालीस": 40,
    "पचास": 50,
    "साठ": 60,
    "सत्तर": 70,
    "अस्सी": 80,
    "नब्बे": 90,
}
_HI_ORDINALS = {
    "पहली": 1,
    "पहला": 1,
    "दूसरी": 2,
    "दूसरा": 2,
    "तीसरी": 3,
    "तीसरा": 3,
    "पांचवीं": 5,
    "आठवीं": 8,
    "दसवीं": 10,
    "दसवी": 10,
    "बारहवीं": 12,
    "बारहवी": 12,
}
_LATIN_UNITS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "teen": 3,
    "paanch": 5,
    "panch": 5,
    "saat": 7,
    "aath": 8,
    "das": 10,
    "barah": 12,
    "baarah": 12,
    "pandrah": 15,
    "bees": 20,
    "tees": 30,
    "pachas": 50,
    "pachaas": 50,
    "saath": 60,
    "tenth": 10,
    "twelfth": 12,
    "first": 1,
    "second": 2,
    "third": 3,
    "fifth": 5,
    "eighth": 8,
    "dasvi": 10,
    "dasvin": 10,
    "dasvee": 10,
    "barahvi": 12,
    "barhavi": 12,
    "barvi": 12,
    "barahvin": 12,
}
_LATIN_AMBIGUOUS = {"one": 1, "ek": 1, "do": 2, "char": 4, "chaar": 4, "sat": 7, "nau": 9, "chhe": 6, "chah": 6}
_MULTIPLIERS = {
    "सौ": 100,
    "हजार": 1000,
    "हज़ार": 1000,
    "लाख": 100_000,
    "करोड": 10_000_000,
    "करोड़": 10_000_000,
    "hundred": 100,
    "sau": 100,
    "thousand": 1000,
    "hazar": 1000,
    "hazaar": 1000,
    "hajar": 1000,
    "hajaar": 1000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "lac": 100_000,
    "lacs": 100_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
    "karod": 10_000_000,
    "karor": 10_000_000,
    "million": 1_000_000,
}
# Nouns that make an ambiguous word before them a number: "char din", "ek january", "do phase".
_COUNTED = frozenset(
    [
        "din",
        "dino",
        "dinon",
        "mahine",
        "mahina",
        "mahino",
        "saal",
        "sal",
        "baje",
        "ghante",
        "ghanta",
        "hafte",
        "hafta",
        "log",
        "baar",
        "bar",
        "phase",
        "phases",
        "charan",
        "days",
        "day",
        "months",
        "month",
        "years",
        "year",
        "weeks",
        "hours",
        "january",
        "janvari",
        "jan",
        "february",
        "farvari",
        "feb",
        "march",
        "april",
        "may",
        "mai",
        "june",
        "jun",
        "july",
        "julai",
        "august",
        "agast",
        "september",
        "sitambar",
        "october",
        "aktubar",
        "november",
        "navambar",
        "december",
        "disambar",
    ]
)
_NUMBER_WORDS = {**_HI_UNITS, **_HI_ORDINALS, **_LATIN_UNITS}
_NUMBER_WORDS = {
    unicodedata.normalize("NFC", word).translate(_DEVANAGARI_FOLD): value for word, value in _NUMBER_WORDS.items()
}
_MULTIPLIERS = {
    unicodedata.normalize("NFC", word).translate(_DEVANAGARI_FOLD): value for word, value in _MULTIPLIERS.items()
}


def _numbers_as_digits(words: list[str]) -> list[str]:
    """``words`` with each run of numerals (digits, number words, multipliers) replaced by its value."""
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        j = i
        while j < n and (
            words[j].isdigit() or words[j] in _NUMBER_WORDS or words[j] in _MULTIPLIERS or words[j] in _LATIN_AMBIGUOUS
        ):
            j += 1
        run = words[i:j]
        if not run:
            out.append(words[i])
            i += 1
            continue
        anchored = any(word.isdigit() or word in _MULTIPLIERS for word in run) or (j < n and words[j] in _COUNTED)
        if not anchored and all(word in _LATIN_AMBIGUOUS and word not in _NUMBER_WORDS for word in run):
            out.extend(run)  # "do", "one", "sat" on their own are words
            i = j
            continue
        out.extend(_value_of(run))
        i = j
    return out


def _value_of(run: list[str]) -> list[str]:
    """The number a run of numerals says ("do hazar" → 2000, "2 lakh" → 200000); digits next to digits
    ("5 2000") stay separate numbers."""
    values: list[str] = []
    total = current = 0
    pending = False
    for word in run:
        if word.isdigit():
            if pending and current and not total:
                values.append(str(current))
                current = 0
            current = current + int(word) if current and current >= 100 and int(word) < 100 else int(word)
            pending = True
        elif word in _MULTIPLIERS:
            multiplier = _MULTIPLIERS[word]
            if multiplier == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * multiplier
                current = 0
            pending = True
        else:
            value = _NUMBER_WORDS.get(word, _LATIN_AMBIGUOUS.get(word, 0))
            current += value
            pending = True
    values.append(str(total + current))
    return values


# Months are part of the dates look-alike claims differ in ("25 May" / "25 April"): one token each, "m5",
# which ``numbers_in`` counts with the numbers. Words that are also common words ("may", "mai" — में —,
# "march") count only next to a number.
_MONTHS = {
    1: "जनवरी january jan janvari janwari",
    2: "फरवरी फ़रवरी february feb farvari farwari pharvari",
    3: "मार्च march mar",
    4: "अप्रैल april apr aprail aprel",
    5: "मई may",
    6: "जून june jun",
    7: "जुलाई july jul julai",
    8: "अगस्त august aug agast",
    9: "सितंबर सितम्बर september sep sept sitambar sitmbar",
    10: "अक्टूबर अक्तूबर october oct aktubar oktober",
    11: "नवंबर नवम्बर november nov navambar navmbar",
    12: "दिसंबर दिसम्बर december dec disambar dismbar",
}
_MONTH_WORDS = {
    unicodedata.normalize("NFC", word).translate(_DEVANAGARI_FOLD): f"m{number}"
    for number, words in _MONTHS.items()
    for word in words.split()
}
_MONTH_NEEDS_NUMBER = frozenset({"may", "mai", "march", "mar", "jan", "jun", "jul", "aug", "sep", "oct", "nov", "dec"})


def _months_as_tokens(words: list[str]) -> list[str]:
    out = []
    for i, word in enumerate(words):
        month = _MONTH_WORDS.get(word)
        if month and word in _MONTH_NEEDS_NUMBER:
            near = words[i - 1 : i] + words[i + 1 : i + 2]
            if not any(other.isdigit() for other in near):
                month = None
        out.append(month or word)
    return out


# ---------------------------------------------------------------- English words said in Hindi

# A Hinglish tip mixes English words into Hindi ("sarkari hospital me vaccine free") and a Hindi claim
# says them in Hindi (सरकारी अस्पताल में टीका मुफ्त): the key writes the common English words of public
# life as their Hindi word, so that the tip meets the claim's Hindi text and the English text meets it too
# (both sides of every comparison go through the same map). General vocabulary of rumours about
# institutions, not words picked from one data set; a word with two Hindi renderings takes the commoner.
_ENGLISH_IN_HINDI = {
    "government": "सरकार",
    "govt": "सरकार",
    "employees": "कर्मचारी",
    "employee": "कर्मचारी",
    "staff": "कर्मचारी",
    "cancelled": "रद्द",
    "canceled": "रद्द",
    "cancel": "रद्द",
    "scrapped": "रद्द",
    "month": "महीने",
    "months": "महीने",
    "next": "अगले",
    "free": "मुफ्त",
    "bank": "बैंक",
    "banks": "बैंक",
    "train": "ट्रेन",
    "trains": "ट्रेनें",
    "election": "चुनाव",
    "elections": "चुनाव",
    "polls": "चुनाव",
    "commission": "आयोग",
    "day": "दिन",
    "days": "दिन",
    "year": "साल",
    "years": "साल",
    "closed": "बंद",
    "shut": "बंद",
    "banned": "बंद",
    "exam": "परीक्षा",
    "exams": "परीक्षा",
    "school": "स्कूल",
    "schools": "स्कूल",
    "hospital": "अस्पताल",
    "hospitals": "अस्पताल",
    "ration": "राशन",
    "people": "लोग",
    "fine": "जुर्माना",
    "penalty": "जुर्माना",
    "account": "खाता",
    "accounts": "खाते",
    "salary": "वेतन",
    "pension": "पेंशन",
    "price": "दाम",
    "prices": "दाम",
    "village": "गांव",
    "villages": "गांव",
    "district": "जिले",
    "state": "राज्य",
    "states": "राज्य",
    "phase": "चरण",
    "phases": "चरण",
    "counting": "मतगणना",
    "date": "तारीख",
    "today": "आज",
    "tomorrow": "कल",
    "midnight": "आधी रात",
    "night": "रात",
    "students": "छात्र",
    "children": "बच्चे",
    "women": "महिलाएं",
    "farmers": "किसान",
    "heat": "गर्मी",
    "vaccine": "टीका",
    "vaccines": "टीके",
    "electricity": "बिजली",
    "gold": "सोना",
    "seized": "जब्त",
    "house": "घर",
    "home": "घर",
    "homes": "घर",
    "cash": "नकद",
    "scheme": "योजना",
    "old": "पुरानी",
    "rice": "चावल",
    "sugar": "चीनी",
    "oil": "तेल",
    "pulses": "दालें",
    "shop": "दुकान",
    "shops": "दुकानें",
    "shopkeepers": "दुकानदार",
    "coin": "सिक्के",
    "coins": "सिक्के",
    "income": "आय",
    "voters": "मतदाता",
    "voter": "मतदाता",
    "booth": "बूथ",
    "result": "परिणाम",
    "results": "परिणाम",
    "everyone": "सभी",
    "all": "सभी",
    "every": "हर",
    "each": "हर",
    "only": "सिर्फ",
    "from": "से",
    "till": "तक",
    "until": "तक",
}


def _lexicon() -> dict[str, str]:
    """English word as written (lower case) → the key of its Hindi word. Looked up before folding, so a
    Hindi or Hinglish word that folds like one of them (पास and "phase" both fold to "pas") stays itself."""
    fold = _DEVANAGARI_FOLD
    return {
        english: " ".join(fold_word(word) for word in unicodedata.normalize("NFC", hindi).translate(fold).split())
        for english, hindi in _ENGLISH_IN_HINDI.items()
    }


_LEXICON = _lexicon()


def key_of_clean(cleaned: str) -> str:
    """The Latin key of a text already cleaned with ``clean``."""
    words = _months_as_tokens(_numbers_as_digits(cleaned.split()))
    return " ".join(folded for folded in (_LEXICON.get(word) or fold_word(word) for word in words) if folded)


def normalise(text: str) -> str:
    """The matching key of ``text`` (see the module docstring); "" when nothing is left."""
    return key_of_clean(clean(text))


def numbers_in(key: str) -> frozenset[str]:
    """The numbers and months a key mentions ("2000", "15", "m5"): a rumour about 2,000-rupee notes is not
    one about 500, nor polling on 5 May one about 5 June."""
    return frozenset(word for word in key.split() if word.isdigit() or (word[0] == "m" and word[1:].isdigit()))
