"""Write claims.csv, tips.csv and tips_meta.csv from the hand-written texts in texts.py.

    python sangathan/factcheck/data/make_dataset.py

Deterministic (fixed seed): running it again rewrites the same files. It adds, on top of the hand-written
texts, the noise real forwards carry: forwarding headers, emojis, links, calls to share, capitals, extra
punctuation, free Hinglish spelling ("kal" → "kl", "nahi" → "nhi", "band" → "bandh", "nOte"), Devanagari
variants (nukta dropped, chandrabindu for anusvara, Devanagari digits, zero-width joiners). The same
noise, with the same odds, goes on the messages that repeat no claim, so noise is no clue to the label.
Downloads nothing.
"""

import csv
import random
import re
from pathlib import Path

from texts import CLAIMS, CLOSE, EXTRA_HINDI_TIPS

HERE = Path(__file__).resolve().parent
SEED = 14

HEADERS_EN = ["Forwarded many times", "Forwarded", "⏩ Forwarded as received", "FWD:", "*BREAKING NEWS*", "URGENT!!"]
HEADERS_HI = ["*आगे भेजें*", "*ज़रूरी सूचना*", "📢📢 बड़ी खबर 📢📢", "Forwarded many times", "⚠️ सावधान ⚠️"]
HEADERS_HINGLISH = ["Forwarded many times", "*Zaroori suchna*", "🔴 BREAKING 🔴", "Fwd:", "Bhaiyo dhyan do 👇"]
SHARE_EN = ["Please forward to all groups 🙏", "Share with family!!", "Send to 10 people", "pls share"]
SHARE_HI = ["सभी ग्रुप में भेजें 🙏", "अपने परिवार को ज़रूर बताएं", "जितना हो सके शेयर करें", "आगे भेजो"]
SHARE_HINGLISH = ["Share karo jitna ho sake!!", "sab group me bhejo 🙏", "apne gharwalon ko batao", "10 logon ko bhejo"]
EMOJIS = ["🙏", "😱", "🔴", "⚠️", "👇", "‼️", "🚨", "😡", "👉", "✅", "💯"]
LINK_HOSTS = ["https://bit.ly/", "http://tinyurl.com/", "https://t.me/s/", "https://sarkari-yojana-update.example/?r="]

# Free spellings of romanised Hindi as people type it (word → variants).
HINGLISH_VARIANTS = {
    "kal": ["kl", "kall"],
    "se": ["sey", "s"],
    "hai": ["h", "he", "hain", "hy"],
    "hain": ["hai", "h"],
    "nahi": ["nhi", "nahin", "nai", "nahee"],
    "band": ["bandh", "bnd"],
    "note": ["not", "nOte"],
    "ke": ["k", "kay"],
    "ka": ["kaa"],
    "ki": ["kee", "ky"],
    "mein": ["me", "main", "mai"],
    "me": ["mein", "mai"],
    "aur": ["or", "aor"],
    "bhi": ["b", "bhee"],
    "gaya": ["gya", "gayaa"],
    "gayi": ["gyi", "gai"],
    "diya": ["dia", "diyaa"],
    "raha": ["rha"],
    "rahe": ["rhe"],
    "rahi": ["rhi"],
    "rahega": ["rhega"],
    "rahenge": ["rhenge"],
    "karo": ["kro", "karoo"],
    "kar": ["kr"],
    "sakte": ["skte"],
    "jayenge": ["jaenge", "jaayenge"],
    "jayega": ["jaega", "jaayega"],
    "hoga": ["hga", "hogaa"],
    "honge": ["hnge"],
    "sabhi": ["sbhi", "sab"],
    "sarkar": ["sarkaar", "srkar"],
    "rupay": ["rupaye", "rs", "rupees", "rupiye"],
    "paisa": ["pesa", "paise"],
    "jaldi": ["jldi"],
    "abhi": ["abi"],
    "zaroor": ["jarur", "zarur", "jaroor"],
    "zyada": ["jyada", "zada", "jada"],
    "khatam": ["khtm", "khatm"],
    "mahine": ["mahene", "mhine"],
    "saal": ["sal"],
    "wale": ["vale", "waale"],
    "wala": ["vala", "waala"],
    "lagega": ["lgega"],
    "milega": ["milegaa", "mlega"],
    "milenge": ["milege"],
    "aayega": ["ayega", "aaega"],
    "aayenge": ["ayenge", "aaenge"],
    "pe": ["par", "p"],
    "ko": ["ku"],
    "kya": ["kia", "kiya"],
    "lo": ["lo", "loo"],
    "ghar": ["gar"],
    "khate": ["khaate", "khatey"],
    "chunav": ["chunaav", "chunao"],
    "voting": ["votng", "votting"],
    "school": ["skool", "scool"],
    "bank": ["bnk"],
    "free": ["fre", "FREE", "fri"],
}
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
NUKTA_FORMS = {"ज़": "ज", "फ़": "फ", "ड़": "ड", "ढ़": "ढ", "क़": "क", "ख़": "ख", "ग़": "ग"}


def hinglish_spelling(text: str, rng: random.Random) -> str:
    def swap(match: re.Match) -> str:
        word = match.group(0)
        variants = HINGLISH_VARIANTS.get(word.lower())
        if variants and rng.random() < 0.4:
            return rng.choice(variants)
        return word

    return re.sub(r"[A-Za-z]+", swap, text)


def odd_capitals(text: str, rng: random.Random) -> str:
    """Capitals in odd places, as a hurried thumb types them: 'nOte', 'BAND'."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 2 and word.isascii() and word.isalpha():
            if rng.random() < 0.5:
                words[i] = word.upper()
            else:
                j = rng.randrange(1, len(word))
                words[i] = word[:j] + word[j].upper() + word[j + 1 :]
    return " ".join(words)


def devanagari_variants(text: str, rng: random.Random) -> tuple[str, list[str]]:
    ops = []
    if rng.random() < 0.4:
        for with_nukta, without in NUKTA_FORMS.items():
            text = text.replace(with_nukta, without)
        # Also the decomposed form (letter + U+093C), which some keyboards produce.
        text = text.replace("\u093c", "")
        ops.append("no-nukta")
    if rng.random() < 0.25 and "ं" in text:
        text = text.replace("ं", "ँ", 1 + rng.randrange(2))
        ops.append("chandrabindu")
    if rng.random() < 0.3 and re.search(r"[0-9]", text):
        text = text.translate(DEVANAGARI_DIGITS)
        ops.append("devanagari-digits")
    if rng.random() < 0.15:
        words = text.split(" ")
        i = rng.randrange(len(words))
        words[i] = words[i] + rng.choice(["\u200d", "\u200c", "\u200b"])
        text = " ".join(words)
        ops.append("zero-width")
    return text, ops


def add_noise(text: str, lang: str, rng: random.Random) -> tuple[str, list[str]]:
    ops: list[str] = []
    if lang == "hinglish":
        respelled = hinglish_spelling(text, rng)
        if respelled != text:
            ops.append("spelling")
        text = respelled
        if rng.random() < 0.15:
            text = odd_capitals(text, rng)
            ops.append("capitals")
    elif lang == "hi":
        text, more = devanagari_variants(text, rng)
        ops += more
    if lang == "en" and rng.random() < 0.12:
        text = text.upper()
        ops.append("all-caps")
    elif lang == "en" and rng.random() < 0.15:
        text = odd_capitals(text, rng)
        ops.append("capitals")
    if rng.random() < 0.3:
        text = re.sub(r",\s*", rng.choice(["... ", ",, ", " - "]), text)
        text = text.rstrip(".!") + rng.choice(["!!!", "!!", "???", "....", " !!"])
        ops.append("punctuation")
    if rng.random() < 0.35:
        emojis = "".join(rng.choice(EMOJIS) for _ in range(rng.randint(1, 3)))
        text = f"{emojis} {text}" if rng.random() < 0.5 else f"{text} {emojis}"
        ops.append("emoji")
    if rng.random() < 0.3:
        share = {"en": SHARE_EN, "hi": SHARE_HI, "hinglish": SHARE_HINGLISH}[lang]
        text = f"{text}\n{rng.choice(share)}"
        ops.append("share")
    if rng.random() < 0.2:
        slug = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(7))
        text = f"{text} {rng.choice(LINK_HOSTS)}{slug}"
        ops.append("link")
    if rng.random() < 0.3:
        header = {"en": HEADERS_EN, "hi": HEADERS_HI, "hinglish": HEADERS_HINGLISH}[lang]
        text = f"{rng.choice(header)}\n{text}"
        ops.append("forward-header")
    return text, ops


def main() -> None:
    rng = random.Random(SEED)
    with (HERE / "claims.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "lang", "text"])
        for claim_id, hindi, english, _tips in CLAIMS:
            writer.writerow([claim_id, "hi", hindi])
            writer.writerow([claim_id, "en", english])

    extra: dict[str, list[tuple[str, str]]] = {}
    for claim_id, text in EXTRA_HINDI_TIPS:
        extra.setdefault(claim_id, []).append(("hi", text))
    messages = []  # (lang, kind, text, claim id or "")
    for claim_id, _hindi, _english, tips in CLAIMS:
        for lang, text in tips + extra.get(claim_id, []):
            messages.append((lang, "repeat", text, claim_id))
    for lang, text in CLOSE:
        messages.append((lang, "close", text, ""))
    rng.shuffle(messages)

    with (
        (HERE / "tips.csv").open("w", newline="", encoding="utf-8") as tips_file,
        (HERE / "tips_meta.csv").open("w", newline="", encoding="utf-8") as meta_file,
    ):
        tips_writer, meta_writer = csv.writer(tips_file), csv.writer(meta_file)
        tips_writer.writerow(["id", "text", "claim"])
        meta_writer.writerow(["id", "lang", "kind", "noise"])
        for number, (lang, kind, text, claim_id) in enumerate(messages, start=1):
            tip_id = f"t{number:04d}"
            noisy, ops = add_noise(text, lang, rng)
            tips_writer.writerow([tip_id, noisy, claim_id])
            meta_writer.writerow([tip_id, lang, kind, " ".join(ops)])


if __name__ == "__main__":
    main()
