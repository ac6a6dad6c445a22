import io
import re

from sangathan.org.seeding import seed
from sangathan.training import services
from sangathan.training.demo import demo_training
from sangathan.training.models import Attendance, Camp, Completion, WalkInRequest


def test_demo_training_on_the_demo_state(db):
    state = seed("demo")
    out = io.StringIO()
    today = demo_training(state=state, stdout=out)
    assert today is not None and today.check_in_open()
    assert Camp.objects.count() >= 3
    assert Attendance.objects.filter(camp=today, method="qr").count() == 3
    assert Completion.objects.count() >= 3
    assert "/t/" in out.getvalue()
    assert WalkInRequest.objects.filter(camp=today, status="pending").count() == 1
    # The output names an invitee's number and personal code, and they check in on the QR page.
    mobile, code = re.search(r"mobile (\d{10}), personal code ([A-Z0-9]{6})", out.getvalue()).groups()
    assert services.attendance_check_in(camp=today, mobile=mobile, code=code).created
    # Running it again adds nothing.
    camps = Camp.objects.count()
    assert demo_training(state=state) is None
    assert Camp.objects.count() == camps
