"""The CLI contract of issue 14 (acceptance checks use it):

* ``sangathan factcheck-load FILE``: CSV ``id,lang,text``, UTF-8 with or without BOM; rows sharing an id are
  one claim; the same file twice changes nothing ("0 new"); bad rows reported by row number on stderr,
  nothing loaded, non-zero exit.
* ``sangathan factcheck-match FILE``: CSV ``id,text`` (extra columns ignored); one JSON object per line on
  stdout, keys id, claim, score, tier in that order, nothing else on stdout.
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sangathan.audit.models import AuditEntry
from sangathan.factcheck import matching
from sangathan.factcheck.models import TEXT_MAX, Claim, ClaimLoad, ClaimText

pytestmark = pytest.mark.django_db

CLAIMS_CSV = """id,lang,text
notes-2000,hi,"कल से ₹2000 के नोट बंद, आधी रात के बाद कोई दुकान या बैंक इन्हें नहीं लेगा"
notes-2000,en,₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight
notes-500,hi,"कल से ₹500 के नोट बंद होंगे, आज ही बैंक जाकर बदल लें"
notes-500,en,₹500 notes will be banned from tomorrow; exchange them at your bank today
evm-hacked,en,"EVMs can be hacked with Bluetooth from a phone, watch the video"
evm-hacked,hi-Latn,EVM ko bluetooth se hack kiya ja sakta hai video dekho
"""

TIPS_CSV = '''id,text,claim,note
t1,"Forwarded many times: kal se 2000 ke note band, aadhi raat ke baad koi dukaan ya bank inhe nahi lega 😱",notes-2000,x
t2,2000 ke note band,notes-2000,
t3,"aaj mausam bahut accha hai, chalo picnic chalte hain",,
t4,"😱😱😱",,
"t 5 ""quoted""",EVMs can be hacked with Bluetooth from a phone!! watch the video,evm-hacked,
'''

LINE_RE = re.compile(
    r'^\{"id": "(?:[^"\\]|\\.)*", "claim": (?:null|"(?:[^"\\]|\\.)*"), "score": [01](?:\.\d+)?, '
    r'"tier": "(?:auto|suggest|none)"\}$'
)


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget_index()
    yield
    matching.forget_index()


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def load(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("factcheck_load", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def load_fails(path) -> tuple[str, CommandError]:
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("factcheck_load", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue(), refused.value


def match(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("factcheck_match", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int]:
    return Claim.objects.count(), ClaimText.objects.count(), ClaimLoad.objects.count()


# ---------------------------------------------------------------- factcheck-load


def test_load_makes_one_claim_per_id_with_a_text_per_language(tmp_path):
    out, err = load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    assert "3 new claims, 6 new texts" in out and err == ""
    assert counts() == (3, 6, 1)
    claim = Claim.objects.get(external_id="evm-hacked")
    assert sorted(claim.texts.values_list("language", flat=True)) == ["en", "hi-Latn"]
    assert claim.unit is None
    text = ClaimText.objects.get(claim__external_id="notes-2000", language="hi")
    assert text.key == "kal se 2000 ke not band adi rat ke bad koi dukan ya benk ine nahi leg"


def test_loading_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, "claims.csv", CLAIMS_CSV)
    load(path)
    before = list(ClaimText.objects.values_list("id", "text", "key", "updated_at"))
    entries = AuditEntry.objects.count()
    out, _err = load(path)
    assert "0 new" in out
    assert counts() == (3, 6, 1)  # no second ClaimLoad either
    assert list(ClaimText.objects.values_list("id", "text", "key", "updated_at")) == before
    assert AuditEntry.objects.count() == entries


def test_a_byte_order_mark_and_crlf_lines_are_accepted(tmp_path):
    out, _err = load(write(tmp_path, "claims.csv", b"\xef\xbb\xbf" + CLAIMS_CSV.replace("\n", "\r\n").encode()))
    assert "3 new claims" in out
    out, _err = load(write(tmp_path, "again.csv", CLAIMS_CSV))
    assert "0 new" in out


def test_a_later_file_adds_languages_and_corrects_texts(tmp_path):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    out, _err = load(
        write(
            tmp_path,
            "more.csv",
            "id,lang,text\n"
            "evm-hacked,hi,ईवीएम मशीन को ब्लूटूथ से हैक किया जा सकता है\n"
            "notes-500,en,₹500 notes will be banned from tomorrow; exchange them today\n"
            "notes-2000,en,₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight\n",
        )
    )
    assert "0 new claims, 1 new texts, 1 texts changed, 1 already present" in out
    assert ClaimText.objects.get(claim__external_id="notes-500", language="en").text.endswith("exchange them today")


def test_the_load_is_audited(tmp_path):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    entries = AuditEntry.objects.filter(object_pk=str(ClaimLoad.objects.get().pk))
    bulk = {entry.additional_data["bulk"]: entry.additional_data["count"] for entry in entries if entry.additional_data}
    assert bulk == {"claims_loaded": 3, "claim_texts_loaded": 6}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",en,some text about notes", "the id is missing"),
        ("c9,en,", "the text is missing"),
        ("c9,fr,le texte", "unknown language 'fr'"),
        ("c9,,text", "unknown language ''"),
        ("notes-2000,hi,दूसरी बार", "already appears in row 2"),
        ("c9,en,😱😱 https://x.in/y", "no words to match"),
        (f"c9,en,{'a' * (TEXT_MAX + 1)}", f"at most {TEXT_MAX}"),
        (f"{'x' * 101},en,text", "longer than 100"),
    ],
)
def test_a_bad_row_is_reported_by_number_and_nothing_is_loaded(tmp_path, row, message):
    content = CLAIMS_CSV.replace("notes-500,hi,", row + "\nnotes-500,hi,", 1)  # the bad row is row 4
    err, refused = load_fails(write(tmp_path, "claims.csv", content))
    assert "row 4: " in err and message in err
    assert refused.returncode == 1 and "nothing was loaded" in str(refused)
    assert counts() == (0, 0, 0)


def test_every_bad_row_is_reported(tmp_path):
    content = "id,lang,text\n,en,no id\nc1,xx,bad language\nc2,en,fine\nc2,en,twice\nc3,hi,\n"
    err, _refused = load_fails(write(tmp_path, "claims.csv", content))
    assert [line.split(":")[0] for line in err.splitlines()] == ["row 2", "row 3", "row 5", "row 6"]
    assert counts() == (0, 0, 0)


def test_bytes_that_are_not_utf8_are_reported_by_row(tmp_path):
    content = CLAIMS_CSV.encode() + b"c9,hi," + "कल".encode("utf-16-le") + b"\xff\n"
    err, _refused = load_fails(write(tmp_path, "claims.csv", content))
    assert err.startswith("row 8: not UTF-8 text")
    assert counts() == (0, 0, 0)


def test_a_latin1_file_is_refused(tmp_path):
    err, _refused = load_fails(write(tmp_path, "claims.csv", "id,lang,text\nc1,en,caf\xe9 closed\n".encode("latin-1")))
    assert "row 2: not UTF-8 text" in err
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "file: The file is empty"), (b"id,language,text\nc1,en,x\n", "row 1: The header must name")],
)
def test_a_file_without_the_header_is_refused(tmp_path, content, message):
    err, _refused = load_fails(write(tmp_path, "claims.csv", content))
    assert message in err
    assert counts() == (0, 0, 0)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("factcheck_load", str(tmp_path / "nope.csv"), stdout=StringIO(), stderr=StringIO())


def test_language_codes_are_case_insensitive(tmp_path):
    load(write(tmp_path, "claims.csv", "id,lang,text\nc1,HI-latn,kal se note band\nc1,EN,notes banned\n"))
    assert sorted(ClaimText.objects.values_list("language", flat=True)) == ["en", "hi-Latn"]


# ---------------------------------------------------------------- factcheck-match


def test_match_prints_one_json_object_per_tip_in_the_contract_format(tmp_path):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    out, _err = match(write(tmp_path, "tips.csv", TIPS_CSV))
    lines = out.splitlines()
    assert len(lines) == 5
    for line in lines:
        assert LINE_RE.match(line), line
        record = json.loads(line)
        assert list(record) == ["id", "claim", "score", "tier"]
        assert 0.0 <= record["score"] <= 1.0
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ["t1", "t2", "t3", "t4", 't 5 "quoted"']
    assert (records[0]["claim"], records[0]["tier"]) == ("notes-2000", "auto")
    assert (records[1]["claim"], records[1]["tier"]) != ("notes-2000", "auto")  # too short to be sure
    assert records[2]["tier"] == "none"
    assert records[3] == {"id": "t4", "claim": None, "score": 0.0, "tier": "none"}
    assert (records[4]["claim"], records[4]["tier"]) == ("evm-hacked", "auto")


def test_match_keeps_unicode_ids_readable(tmp_path):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    out, _err = match(write(tmp_path, "tips.csv", "text,id\nकल से 2000 के नोट बंद,टिप-१\n"))
    assert out.startswith('{"id": "टिप-१", "claim": "notes-2000", "score": ')


def test_match_without_claims_names_none(tmp_path):
    out, _err = match(write(tmp_path, "tips.csv", "id,text\nt1,kal se 2000 ke note band\n"))
    assert out == '{"id": "t1", "claim": null, "score": 0.0, "tier": "none"}\n'


def test_match_uses_the_desk_thresholds(tmp_path, settings):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    tips = write(tmp_path, "tips.csv", TIPS_CSV)
    before = [json.loads(line) for line in match(tips)[0].splitlines()]
    assert "auto" in {record["tier"] for record in before}
    settings.FACTCHECK_AUTO_SCORE = 1.01  # nothing can reach it
    after = [json.loads(line) for line in match(tips)[0].splitlines()]
    assert "auto" not in {record["tier"] for record in after}
    assert [(r["claim"], r["score"]) for r in after] == [(r["claim"], r["score"]) for r in before]


def test_match_answers_a_file_of_only_a_header_with_nothing(tmp_path):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    out, _err = match(write(tmp_path, "tips.csv", "id,text\n"))
    assert out == ""


def test_match_refuses_a_file_without_the_columns(tmp_path):
    with pytest.raises(CommandError):
        match(write(tmp_path, "tips.csv", "tip,message\nt1,hello\n"))


def test_match_refuses_bytes_that_are_not_utf8(tmp_path):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "factcheck_match", str(write(tmp_path, "t.csv", b"id,text\nt1,caf\xe9\n")), stdout=out, stderr=StringIO()
        )
    assert out.getvalue() == ""


def test_match_writes_progress_only_to_stderr(tmp_path):
    load(write(tmp_path, "claims.csv", CLAIMS_CSV))
    out, err = match(write(tmp_path, "tips.csv", TIPS_CSV))
    assert all(line.startswith("{") for line in out.splitlines())
    assert "3 claims (6 texts); matching 5 tips." in err
