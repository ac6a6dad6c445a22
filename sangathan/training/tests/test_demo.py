import io

from sangathan.org.seeding import seed
from sangathan.training.demo import demo_training
from sangathan.training.models import Attendance, Camp, Completion


def test_demo_training_on_the_demo_state(db):
    state = seed("demo")
    out = io.StringIO()
    today = demo_training(state=state, stdout=out)
    assert today is not None and today.check_in_open()
    assert Camp.objects.count() >= 3
    assert Attendance.objects.filter(camp=today, method="qr").count() == 3
    assert Completion.objects.count() >= 3
    assert "/t/" in out.getvalue()
    # Running it again adds nothing.
    camps = Camp.objects.count()
    assert demo_training(state=state) is None
    assert Camp.objects.count() == camps
