"""The default structure from the seeds: levels and the posts of each committee.

An organisation edits these as data (admin or API); this is only where a new installation starts.
(code, order, Hindi, English, [(position code, Hindi title, English title, seats, is_key), ...])
"""

DEFAULT_LEVELS = [
    (
        "national",
        10,
        "राष्ट्रीय",
        "National",
        [
            ("chairman", "राष्ट्रीय चेयरमैन", "National chairman", 1, True),
            ("coordinator", "राष्ट्रीय कोऑर्डिनेटर", "National coordinator", 10, False),
        ],
    ),
    (
        "state",
        20,
        "प्रदेश",
        "State",
        [
            ("chairman", "प्रदेश चेयरमैन", "State chairman", 1, True),
            ("president", "प्रदेश अध्यक्ष", "State president", 1, False),
            ("vice_president", "प्रदेश उपाध्यक्ष", "State vice-president", 4, False),
            ("general_secretary", "प्रदेश महासचिव", "State general secretary", 6, False),
            ("secretary", "प्रदेश सचिव", "State secretary", 10, False),
            ("coordinator", "प्रदेश कोऑर्डिनेटर", "State coordinator", 10, False),
        ],
    ),
    (
        "division",
        30,
        "संभाग",
        "Division",
        [
            ("coordinator", "संभाग कोऑर्डिनेटर", "Division coordinator", 1, True),
        ],
    ),
    (
        "district",
        40,
        "जिला",
        "District",
        [
            ("in_charge", "जिला प्रभारी", "District in-charge", 1, True),
            ("president", "जिला अध्यक्ष", "District president", 1, False),
            ("vice_president", "जिला उपाध्यक्ष", "District vice-president", 2, False),
            ("general_secretary", "जिला महासचिव", "District general secretary", 2, False),
            ("coordinator", "जिला कोऑर्डिनेटर", "District coordinator", 2, False),
        ],
    ),
    (
        "assembly",
        50,
        "विधानसभा",
        "Assembly constituency",
        [
            ("in_charge", "विधानसभा प्रभारी", "Assembly in-charge", 1, True),
            ("coordinator", "विधानसभा कोऑर्डिनेटर", "Assembly coordinator", 2, False),
        ],
    ),
    (
        "block",
        60,
        "ब्लॉक",
        "Block",
        [
            ("in_charge", "ब्लॉक प्रभारी", "Block in-charge", 1, True),
            ("coordinator", "ब्लॉक कोऑर्डिनेटर", "Block coordinator", 1, False),
        ],
    ),
    (
        "mandal",
        70,
        "मंडल",
        "Mandal",
        [
            ("in_charge", "मंडल प्रभारी", "Mandal in-charge", 1, True),
        ],
    ),
    (
        "ward",
        75,
        "वार्ड",
        "Ward",
        [
            ("in_charge", "वार्ड प्रभारी", "Ward in-charge", 1, True),
        ],
    ),
    (
        "cluster",
        80,
        "शक्ति केंद्र",
        "Booth cluster",
        [
            ("in_charge", "शक्ति केंद्र प्रभारी", "Cluster in-charge", 1, True),
        ],
    ),
    (
        "booth",
        90,
        "बूथ",
        "Booth",
        [
            ("representative", "बूथ प्रतिनिधि", "Booth representative", 1, True),
            ("volunteer", "बूथ डिजिटल स्वयंसेवक", "Booth digital volunteer", 2, False),
        ],
    ),
]


# (level, level within which its official numbers are unique)
NUMBERED_WITHIN = [("assembly", "state"), ("booth", "assembly")]


def load_default_template(level_model, position_model) -> None:
    """Create the default levels and positions that are missing (idempotent)."""
    for code, order, name_hi, name_en, positions in DEFAULT_LEVELS:
        level, _created = level_model.objects.get_or_create(
            code=code, defaults={"order": order, "name_hi": name_hi, "name_en": name_en}
        )
        for index, (p_code, title_hi, title_en, seats, is_key) in enumerate(positions):
            position_model.objects.get_or_create(
                level=level,
                code=p_code,
                defaults={"title_hi": title_hi, "title_en": title_en, "seats": seats, "is_key": is_key, "order": index},
            )


def load_default_numbering(level_model) -> None:
    """Booth numbers unique within an assembly constituency, AC numbers within a state (idempotent)."""
    for code, within in NUMBERED_WITHIN:
        level_model.objects.filter(code=code, numbered_within__isnull=True).update(
            numbered_within=level_model.objects.filter(code=within).first()
        )
