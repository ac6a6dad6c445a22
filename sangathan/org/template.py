"""The default structure from the seeds: levels and the posts of each committee.

An organisation edits these as data (admin or API); this is only where a new installation starts.
Two flat tables, one row a line: the levels, then every level's posts in the order they are listed.
"""

# (code, order, Hindi, English)
DEFAULT_LEVELS = [
    ("national", 10, "राष्ट्रीय", "National"),
    ("state", 20, "प्रदेश", "State"),
    ("division", 30, "संभाग", "Division"),
    ("district", 40, "जिला", "District"),
    ("assembly", 50, "विधानसभा", "Assembly constituency"),
    ("block", 60, "ब्लॉक", "Block"),
    ("mandal", 70, "मंडल", "Mandal"),
    ("ward", 75, "वार्ड", "Ward"),
    ("cluster", 80, "शक्ति केंद्र", "Booth cluster"),
    ("booth", 90, "बूथ", "Booth"),
]

# (level code, position code, Hindi title, English title, seats, is_key), in each level's order
DEFAULT_POSITIONS = [
    ("national", "chairman", "राष्ट्रीय चेयरमैन", "National chairman", 1, True),
    ("national", "coordinator", "राष्ट्रीय कोऑर्डिनेटर", "National coordinator", 10, False),
    ("state", "chairman", "प्रदेश चेयरमैन", "State chairman", 1, True),
    ("state", "president", "प्रदेश अध्यक्ष", "State president", 1, False),
    ("state", "vice_president", "प्रदेश उपाध्यक्ष", "State vice-president", 4, False),
    ("state", "general_secretary", "प्रदेश महासचिव", "State general secretary", 6, False),
    ("state", "secretary", "प्रदेश सचिव", "State secretary", 10, False),
    ("state", "coordinator", "प्रदेश कोऑर्डिनेटर", "State coordinator", 10, False),
    ("division", "coordinator", "संभाग कोऑर्डिनेटर", "Division coordinator", 1, True),
    ("district", "in_charge", "जिला प्रभारी", "District in-charge", 1, True),
    ("district", "president", "जिला अध्यक्ष", "District president", 1, False),
    ("district", "vice_president", "जिला उपाध्यक्ष", "District vice-president", 2, False),
    ("district", "general_secretary", "जिला महासचिव", "District general secretary", 2, False),
    ("district", "coordinator", "जिला कोऑर्डिनेटर", "District coordinator", 2, False),
    ("assembly", "in_charge", "विधानसभा प्रभारी", "Assembly in-charge", 1, True),
    ("assembly", "coordinator", "विधानसभा कोऑर्डिनेटर", "Assembly coordinator", 2, False),
    ("block", "in_charge", "ब्लॉक प्रभारी", "Block in-charge", 1, True),
    ("block", "coordinator", "ब्लॉक कोऑर्डिनेटर", "Block coordinator", 1, False),
    ("mandal", "in_charge", "मंडल प्रभारी", "Mandal in-charge", 1, True),
    ("ward", "in_charge", "वार्ड प्रभारी", "Ward in-charge", 1, True),
    ("cluster", "in_charge", "शक्ति केंद्र प्रभारी", "Cluster in-charge", 1, True),
    ("booth", "representative", "बूथ प्रतिनिधि", "Booth representative", 1, True),
    ("booth", "volunteer", "बूथ डिजिटल स्वयंसेवक", "Booth digital volunteer", 2, False),
]


# (level, level within which its official numbers are unique)
NUMBERED_WITHIN = [("assembly", "state"), ("booth", "assembly")]


def load_default_template(level_model, position_model) -> None:
    """Create the default levels and positions that are missing (idempotent)."""
    for code, order, name_hi, name_en in DEFAULT_LEVELS:
        level, _created = level_model.objects.get_or_create(
            code=code, defaults={"order": order, "name_hi": name_hi, "name_en": name_en}
        )
        posts = [post for post in DEFAULT_POSITIONS if post[0] == code]
        for index, (_level, p_code, title_hi, title_en, seats, is_key) in enumerate(posts):
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


# (code, Hindi, English): the wings and cells every unit may have.
DEFAULT_WINGS = [
    ("it_cell", "आईटी सेल", "IT cell"),
    ("women", "महिला प्रकोष्ठ", "Women's wing"),
    ("youth", "युवा प्रकोष्ठ", "Youth wing"),
    ("minority", "अल्पसंख्यक प्रकोष्ठ", "Minority cell"),
]


def load_default_wings(wing_model) -> None:
    """Create the default wings that are missing (idempotent)."""
    for order, (code, name_hi, name_en) in enumerate(DEFAULT_WINGS):
        wing_model.objects.get_or_create(code=code, defaults={"name_hi": name_hi, "name_en": name_en, "order": order})
