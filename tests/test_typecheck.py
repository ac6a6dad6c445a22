"""mypy with django-stubs on the modules that hold the rules (pyproject's ``[tool.mypy]``, run by ``make lint``):
every app's services, selectors and access modules and the scope machinery are clean, the configuration
reaches all of them, and the same configuration fails on a services module with the mistakes it is there to
catch (a model field of the wrong type, a nullable foreign key used unchecked, an error in a function without
annotations, an ignore without its error code).

mypy runs in a subprocess: its Django plugin sets Django up in the process it runs in.
"""

import glob
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
CONFIG = tomllib.loads(PYPROJECT.read_text())["tool"]["mypy"]

BROKEN = """
from sangathan.org.models import Person


def person_mobile(*, person: Person) -> int:
    return person.mobile


def person_home_path(*, person: Person) -> str:
    return person.home_unit.path


def people_label():
    return Person.objects.count() + " people"


def person_key(*, person: Person) -> str:
    return person.pk + "x"  # type: ignore
"""


def mypy(*args: str) -> tuple[int, str]:
    """Run mypy with the project's configuration from the project's root; (exit status, report)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "mypy", "--config-file", str(PYPROJECT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_configuration_reaches_every_services_selectors_and_access_module():
    checked = {ROOT / path for pattern in CONFIG["files"] for path in glob.glob(pattern, root_dir=ROOT)}
    wanted = {
        path
        for path in (ROOT / "sangathan").rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and (path.name in ("services.py", "selectors.py", "access.py") or path.parent.name == "services")
    }
    wanted |= {ROOT / "sangathan" / "access" / name for name in ("scope.py", "scoping.py", "personal.py")}
    assert len(wanted) > 20
    assert sorted(str(path.relative_to(ROOT)) for path in wanted - checked) == []
    # Strict where it matters: untyped functions checked too, and no blanket pass on missing stubs.
    assert CONFIG["check_untyped_defs"] is True
    assert "ignore_missing_imports" not in CONFIG
    assert "ignore_errors" not in CONFIG


@pytest.mark.slow
def test_a_services_module_with_type_errors_fails(tmp_path):
    broken = tmp_path / "services.py"
    broken.write_text(textwrap.dedent(BROKEN))

    status, report = mypy(str(broken))

    assert status == 1, report
    assert 'services.py:6: error: Incompatible return value type (got "str", expected "int")' in report
    assert 'services.py:10: error: Item "None" of "Unit | None" has no attribute "path"' in report
    assert "services.py:14: error: Unsupported operand types" in report
    assert "services.py:18: error" in report and "[ignore-without-code]" in report


@pytest.mark.slow
def test_the_real_modules_are_clean():
    status, report = mypy()

    assert status == 0, report
    assert "Success: no issues found" in report
