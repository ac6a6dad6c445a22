"""Synthetic but realistic organisation trees for demos, tests and benchmarks.

``seed(scale)`` builds a tree level by level with set-based inserts (COPY on PostgreSQL),
fills a share of the posts with generated people, then recounts the coverage counters once.
A national tree (≈1.06 M units) loads in well under a minute on SQLite.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sangathan.core.sql import insert_rows, next_id, reset_sequence
from sangathan.org import coverage, representation
from sangathan.org.models import UNIT_BULK_COLUMNS, Appointment, Level, Person, Position, Unit

STATES = [
    ("उत्तर प्रदेश", "Uttar Pradesh", "UP"),
    ("महाराष्ट्र", "Maharashtra", "MH"),
    ("बिहार", "Bihar", "BR"),
    ("पश्चिम बंगाल", "West Bengal", "WB"),
    ("मध्य प्रदेश", "Madhya Pradesh", "MP"),
    ("तमिलनाडु", "Tamil Nadu", "TN"),
    ("राजस्थान", "Rajasthan", "RJ"),
    ("कर्नाटक", "Karnataka", "KA"),
    ("गुजरात", "Gujarat", "GJ"),
    ("आंध्र प्रदेश", "Andhra Pradesh", "AP"),
    ("ओडिशा", "Odisha", "OD"),
    ("तेलंगाना", "Telangana", "TS"),
    ("केरल", "Kerala", "KL"),
    ("झारखंड", "Jharkhand", "JH"),
    ("असम", "Assam", "AS"),
    ("पंजाब", "Punjab", "PB"),
    ("छत्तीसगढ़", "Chhattisgarh", "CG"),
    ("हरियाणा", "Haryana", "HR"),
    ("दिल्ली", "Delhi", "DL"),
    ("जम्मू और कश्मीर", "Jammu and Kashmir", "JK"),
    ("उत्तराखंड", "Uttarakhand", "UK"),
    ("हिमाचल प्रदेश", "Himachal Pradesh", "HP"),
    ("त्रिपुरा", "Tripura", "TR"),
    ("मेघालय", "Meghalaya", "ML"),
    ("मणिपुर", "Manipur", "MN"),
    ("नागालैंड", "Nagaland", "NL"),
    ("गोवा", "Goa", "GA"),
    ("अरुणाचल प्रदेश", "Arunachal Pradesh", "AR"),
    ("पुडुचेरी", "Puducherry", "PY"),
    ("मिज़ोरम", "Mizoram", "MZ"),
    ("चंडीगढ़", "Chandigarh", "CH"),
    ("सिक्किम", "Sikkim", "SK"),
    ("दादरा और नगर हवेली और दमन और दीव", "Dadra and Nagar Haveli and Daman and Diu", "DN"),
    ("अंडमान और निकोबार द्वीपसमूह", "Andaman and Nicobar Islands", "AN"),
    ("लद्दाख", "Ladakh", "LA"),
    ("लक्षद्वीप", "Lakshadweep", "LD"),
]

RAJASTHAN_DISTRICTS = [
    ("जयपुर", "Jaipur"),
    ("अजमेर", "Ajmer"),
    ("जोधपुर", "Jodhpur"),
    ("उदयपुर", "Udaipur"),
    ("कोटा", "Kota"),
    ("बीकानेर", "Bikaner"),
    ("अलवर", "Alwar"),
    ("भरतपुर", "Bharatpur"),
    ("सीकर", "Sikar"),
    ("नागौर", "Nagaur"),
    ("पाली", "Pali"),
    ("भीलवाड़ा", "Bhilwara"),
    ("बाड़मेर", "Barmer"),
    ("चूरू", "Churu"),
    ("झुंझुनूं", "Jhunjhunu"),
    ("टोंक", "Tonk"),
    ("दौसा", "Dausa"),
    ("बूंदी", "Bundi"),
    ("बारां", "Baran"),
    ("झालावाड़", "Jhalawar"),
    ("चित्तौड़गढ़", "Chittorgarh"),
    ("राजसमंद", "Rajsamand"),
    ("डूंगरपुर", "Dungarpur"),
    ("बांसवाड़ा", "Banswara"),
    ("प्रतापगढ़", "Pratapgarh"),
    ("सिरोही", "Sirohi"),
    ("जालौर", "Jalore"),
    ("जैसलमेर", "Jaisalmer"),
    ("श्रीगंगानगर", "Sri Ganganagar"),
    ("हनुमानगढ़", "Hanumangarh"),
    ("करौली", "Karauli"),
    ("सवाई माधोपुर", "Sawai Madhopur"),
    ("धौलपुर", "Dholpur"),
    ("बालोतरा", "Balotra"),
    ("ब्यावर", "Beawar"),
    ("डीग", "Deeg"),
    ("डीडवाना-कुचामन", "Didwana-Kuchaman"),
    ("खैरथल-तिजारा", "Khairthal-Tijara"),
    ("कोटपूतली-बहरोड़", "Kotputli-Behror"),
    ("फलोदी", "Phalodi"),
    ("सलूम्बर", "Salumbar"),
]

_PLACE_HEADS = [
    ("राम", "Ram"),
    ("सूर", "Sur"),
    ("किशन", "Kishan"),
    ("मान", "Man"),
    ("गोविंद", "Govind"),
    ("चंद", "Chand"),
    ("लक्ष्मण", "Laxman"),
    ("शिव", "Shiv"),
    ("हनुमान", "Hanuman"),
    ("बिजय", "Bijay"),
    ("नव", "Nav"),
    ("सांगा", "Sanga"),
    ("माधो", "Madho"),
    ("भवानी", "Bhawani"),
    ("फतेह", "Fateh"),
    ("रतन", "Ratan"),
]
_PLACE_TAILS = [
    ("पुर", "pur"),
    ("गढ़", "garh"),
    ("नगर", "nagar"),
    ("सर", "sar"),
    ("गांव", "gaon"),
    ("वाड़ा", "wada"),
    ("खेड़ा", "kheda"),
    ("बाड़ी", "bari"),
    ("देसर", "desar"),
    ("ला", "la"),
    ("पुरा", "pura"),
    ("गंज", "ganj"),
]
_FIRST = [
    ("राहुल", "Rahul"),
    ("प्रिया", "Priya"),
    ("अमित", "Amit"),
    ("सुनीता", "Sunita"),
    ("विकास", "Vikas"),
    ("पूजा", "Pooja"),
    ("मनोज", "Manoj"),
    ("अंजलि", "Anjali"),
    ("सुरेश", "Suresh"),
    ("नेहा", "Neha"),
    ("आसिफ", "Asif"),
    ("रुखसाना", "Rukhsana"),
    ("गुरप्रीत", "Gurpreet"),
    ("दीपिका", "Deepika"),
    ("महेंद्र", "Mahendra"),
    ("कविता", "Kavita"),
    ("अशोक", "Ashok"),
    ("सीमा", "Seema"),
    ("इमरान", "Imran"),
    ("लक्ष्मी", "Lakshmi"),
]
_LAST = [
    ("शर्मा", "Sharma"),
    ("मीणा", "Meena"),
    ("जाट", "Jat"),
    ("गुर्जर", "Gurjar"),
    ("सिंह", "Singh"),
    ("खान", "Khan"),
    ("अग्रवाल", "Agarwal"),
    ("मेघवाल", "Meghwal"),
    ("यादव", "Yadav"),
    ("बैरवा", "Bairwa"),
    ("चौधरी", "Choudhary"),
    ("राठौड़", "Rathore"),
    ("अंसारी", "Ansari"),
    ("जैन", "Jain"),
    ("सैनी", "Saini"),
]

# Share of units whose key post is filled, by level code; other posts get half that.
FILL_RATE = {"state": 1.0, "district": 0.9, "assembly": 0.75, "block": 0.65, "mandal": 0.55, "booth": 0.45}


@dataclass(frozen=True)
class Shape:
    """How many units at each level below the state (or below the nation for national)."""

    states: int
    chain: tuple[tuple[str, int], ...]  # (level code, total units at that level)


SHAPES = {
    "demo": Shape(states=1, chain=(("district", 3), ("assembly", 6), ("block", 12), ("mandal", 24), ("booth", 240))),
    "state": Shape(
        states=1, chain=(("district", 41), ("assembly", 200), ("block", 400), ("mandal", 2000), ("booth", 52000))
    ),
    "national": Shape(states=36, chain=(("district", 780), ("assembly", 4100), ("block", 7000), ("booth", 1_050_000))),
}


def _spread(total: int, parents: int) -> list[int]:
    base, extra = divmod(total, parents)
    return [base + (1 if i < extra else 0) for i in range(parents)]


def _place(index: int) -> tuple[str, str]:
    head = _PLACE_HEADS[index % len(_PLACE_HEADS)]
    tail = _PLACE_TAILS[(index // len(_PLACE_HEADS)) % len(_PLACE_TAILS)]
    round_ = index // (len(_PLACE_HEADS) * len(_PLACE_TAILS))
    suffix_hi, suffix_en = (f" {round_ + 1}", f" {round_ + 1}") if round_ else ("", "")
    return f"{head[0]}{tail[0]}{suffix_hi}", f"{head[1]}{tail[1]}{suffix_en}"


class _Seeder:
    def __init__(self, *, rng: random.Random, progress: Callable[[int], None] | None):
        self.rng = rng
        self.progress = progress or (lambda n: None)
        self.levels = {level.code: level for level in Level.objects.all()}
        self.positions: dict[int, list[Position]] = {}
        for position in Position.objects.all():
            self.positions.setdefault(position.level_id, []).append(position)
        self.unit_id = next_id(Unit._meta.db_table)
        self.person_id = next_id(Person._meta.db_table)
        self.appointment_id = next_id(Appointment._meta.db_table)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.units_made = 0

    # Each row tuple matches the column lists below.
    UNIT_COLUMNS = UNIT_BULK_COLUMNS
    PERSON_COLUMNS = (
        "id",
        "name_hi",
        "name_en",
        "mobile",
        "email",
        "home_unit_id",
        "languages",
        "skills",
        "created_at",
        "updated_at",
    )
    APPOINTMENT_COLUMNS = (
        "id",
        "person_id",
        "unit_id",
        "position_id",
        "seat",
        "status",
        "start_date",
        "letter_number",
        "end_reason",
        "created_at",
    )

    def _staff(self, unit_id: int, level: Level, people: list, appointments: list) -> bool:
        """Fill some posts of one unit; returns whether its key post was filled."""
        rate = FILL_RATE.get(level.code, 0.5)
        key_filled = False
        for position in self.positions.get(level.id, []):
            chance = rate if position.is_key else rate / 2
            if level.code == "booth" and not position.is_key:
                continue
            for seat in range(1, position.seats + 1):
                if self.rng.random() >= chance:
                    continue
                first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
                pid = self.person_id
                self.person_id += 1
                people.append(
                    (
                        pid,
                        f"{first[0]} {last[0]}",
                        f"{first[1]} {last[1]}",
                        f"+91{6000000000 + pid}",
                        "",
                        unit_id,
                        '["hi"]',
                        "[]",
                        self.now,
                        self.now,
                    )
                )
                appointments.append(
                    (
                        self.appointment_id,
                        pid,
                        unit_id,
                        position.id,
                        seat,
                        "active",
                        self.today,
                        f"SM/{self.today.year}/{self.appointment_id}",
                        "",
                        self.now,
                    )
                )
                self.appointment_id += 1
                key_filled = key_filled or position.is_key
        return key_filled

    def level_rows(self, parents: list[dict], level: Level, counts: list[int], names, next_counts: list[int] | None):
        """Insert the children of ``parents``; returns the new units as parent records for the next level."""
        made: list[dict] = []
        child_index = 0
        chunk_units, chunk_people, chunk_appointments = [], [], []
        for parent, count in zip(parents, counts, strict=True):
            for i in range(count):
                uid = self.unit_id
                self.unit_id += 1
                path = parent["path"] + Unit._int2str(i + 1).rjust(Unit.steplen, "0")
                name_hi, name_en, number, code, station, ctx = names(parent, i, child_index)
                key = self._staff(uid, level, chunk_people, chunk_appointments)
                numchild = next_counts[child_index] if next_counts is not None else 0
                chunk_units.append(
                    (
                        uid,
                        path,
                        len(path) // Unit.steplen,
                        numchild,
                        name_hi,
                        name_en,
                        level.id,
                        parent["id"],
                        number,
                        code,
                        station,
                        key,
                        self.now,
                    )
                )
                if next_counts is not None:
                    made.append({"id": uid, "path": path, "ctx": ctx})
                child_index += 1
                if len(chunk_units) >= 50000:
                    self._flush(chunk_units, chunk_people, chunk_appointments)
        self._flush(chunk_units, chunk_people, chunk_appointments)
        return made

    def _flush(self, units: list, people: list, appointments: list) -> None:
        insert_rows(Unit._meta.db_table, self.UNIT_COLUMNS, units)
        insert_rows(Person._meta.db_table, self.PERSON_COLUMNS, people)
        insert_rows(Appointment._meta.db_table, self.APPOINTMENT_COLUMNS, appointments)
        self.progress(len(units))
        self.units_made += len(units)
        units.clear()
        people.clear()
        appointments.clear()


def _names_for(level_code: str, state_scale: bool):
    def name(parent: dict, i: int, index: int):
        ctx = dict(parent["ctx"])
        if level_code == "district":
            if state_scale and index < len(RAJASTHAN_DISTRICTS):
                hi, en = RAJASTHAN_DISTRICTS[index]
            else:
                hi, en = f"जिला {index + 1}", f"District {index + 1}"
            return hi, en, None, "", "", ctx
        if level_code == "assembly":
            ctx["state_ac"][0] += 1
            number = ctx["state_ac"][0]
            ctx = {**ctx, "booth_counter": [0]}
            hi, en = _place(number)
            return hi, en, number, "", "", ctx
        if level_code == "booth":
            ctx["booth_counter"][0] += 1
            number = ctx["booth_counter"][0]
            village_hi, village_en = _place(number // 2 + i)
            station = f"राजकीय विद्यालय, {village_hi}"
            return f"{village_hi} कक्ष {number % 2 + 1}", f"{village_en} room {number % 2 + 1}", number, "", station, ctx
        hi, en = _place(i * 7 + index % 5)
        return hi, en, None, "", "", ctx

    return name


def seed(scale: str, *, seed_value: int = 2026, progress: Callable[[int], None] | None = None) -> Unit:
    """Build the tree for ``scale`` (demo, state or national) under the national unit; returns the root built."""
    shape = SHAPES[scale]
    rng = random.Random(seed_value)
    levels = {level.code: level for level in Level.objects.all()}
    with transaction.atomic():
        national = Unit.objects.filter(depth=1, level=levels["national"]).first()
        if national is None:
            national = Unit.objects.add_root(
                instance=Unit(name_hi="भारत", name_en="India", level=levels["national"], code="IN")
            )
        seeder = _Seeder(rng=rng, progress=progress)
        existing_states = Unit.objects.filter(parent=national).count()
        if scale == "national":
            states_spec = [s for s in STATES if not Unit.objects.filter(parent=national, code=s[2]).exists()]
            states_spec = states_spec[: shape.states]
        else:
            states_spec = [s for s in STATES if s[2] == "RJ"]
            if Unit.objects.filter(parent=national, code="RJ").exists():
                raise ValueError("Rajasthan is already seeded.")
        totals = [len(states_spec)] + [total for _code, total in shape.chain]
        level_codes = ["state"] + [code for code, _total in shape.chain]
        per_parent = [_spread(totals[i + 1], totals[i]) for i in range(len(totals) - 1)]

        # The national unit's own numchild grows by the states we add.
        Unit.objects.filter(pk=national.pk).update(numchild=existing_states + len(states_spec))
        parents = _states_rows(seeder, national, levels["state"], states_spec, existing_states, per_parent[0])
        state_parents = parents
        for depth_index, code in enumerate(level_codes[1:], start=1):
            next_counts = per_parent[depth_index] if depth_index < len(per_parent) else None
            names = _names_for(code, state_scale=scale != "national")
            parents = seeder.level_rows(parents, levels[code], per_parent[depth_index - 1], names, next_counts)
        for table in (Unit, Person, Appointment):
            reset_sequence(table._meta.db_table)
        coverage.rebuild(national)
        representation.recount(national)
        return Unit.objects.get(pk=state_parents[0]["id"]) if scale != "national" else national


def _states_rows(seeder: _Seeder, national: Unit, level: Level, states_spec, start: int, next_counts) -> list[dict]:
    """States go under the national unit after any states already there."""
    made, units, people, appointments = [], [], [], []
    for index, (hi, en, code) in enumerate(states_spec):
        uid = seeder.unit_id
        seeder.unit_id += 1
        path = national.path + Unit._int2str(start + index + 1).rjust(Unit.steplen, "0")
        key = seeder._staff(uid, level, people, appointments)
        units.append((uid, path, 2, next_counts[index], hi, en, level.id, national.id, None, code, "", key, seeder.now))
        made.append({"id": uid, "path": path, "ctx": {"state_ac": [0]}})
    seeder._flush(units, people, appointments)
    return made
