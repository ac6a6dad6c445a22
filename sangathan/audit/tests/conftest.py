from sangathan.outreach.tests.conftest import in_charges, make_draft, send  # noqa: F401
from sangathan.recruitment.tests.conftest import campaign, rubric, submit  # noqa: F401
from sangathan.recruitment.tests.staff_fixtures import ajmer_app, jaipur_app  # noqa: F401
from sangathan.training.tests.conftest import camp, people, programme  # noqa: F401
