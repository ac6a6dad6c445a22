"""The layers of pyproject.toml's import-linter contract: the real tree keeps them, and the same contract
fails on a toy package laid out like ``sangathan`` (one module per app) with one import going up.

The toy is checked with the real contract's options (its layers, exhaustiveness, the tests' exemption), with
only the package name changed, so a weakened contract (a layer merged away, a ``|`` turned into ``:``) fails
here too.
"""

import json
import textwrap
import uuid
from pathlib import Path

import pytest
from importlinter.api import read_configuration
from importlinter.application.use_cases import lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
REAL = read_configuration(str(PYPROJECT))
CONTRACT = REAL["contracts_options"][0]
APPS = [name.strip() for layer in CONTRACT["layers"] for name in layer.replace("|", ":").split(":")]


def lint(config: Path) -> bool:
    return lint_imports(config_filename=str(config), cache_dir=None, no_logo=True)


def toy_tree(root: Path, *, imports: dict[str, str] | None = None, extra_apps: tuple[str, ...] = ()) -> Path:
    """A package with one subpackage per app of the contract (each with a ``models`` module), a test module
    that imports the project level, the given ``{module: source}`` added, and a config holding the real
    contract for it. Returns the config's path."""
    package = f"toy_{uuid.uuid4().hex[:8]}"
    base = root / package
    base.mkdir()
    (base / "__init__.py").write_text("")
    for app in [*APPS, *extra_apps]:
        if app.startswith("__"):  # __main__: a module, not a package
            (base / f"{app}.py").write_text("")
            continue
        (base / app).mkdir()
        (base / app / "__init__.py").write_text("")
        (base / app / "models.py").write_text("")
    # Every toy has a test module using the project level, so the tests' exemption has something to match
    # (import-linter refuses an ignore that matches nothing).
    imports = {"core.tests.test_x": "import PKG\nfrom PKG.testing import models\n", **(imports or {})}
    for module, source in imports.items():
        path = base.joinpath(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(base).parents:
            init = base / parent / "__init__.py"
            if not init.exists():
                init.write_text("")
        path.write_text(textwrap.dedent(source).replace("PKG", package))

    def rename(value: str) -> str:
        return value.replace("sangathan", package)

    options = {key: value for key, value in CONTRACT.items() if key not in ("id", "name", "type")}
    lines = [
        "[tool.importlinter]",
        f"root_packages = [{json.dumps(package)}]",
        "",
        "[[tool.importlinter.contracts]]",
        'id = "layers"',
        'name = "The real layers on a toy tree"',
        'type = "layers"',
        f"containers = {json.dumps([rename(c) for c in options.pop('containers')])}",
        f"layers = {json.dumps(options.pop('layers'))}",
        f"exhaustive = {str(options.pop('exhaustive', 'False')).lower()}",
        f"ignore_imports = {json.dumps([rename(i) for i in options.pop('ignore_imports', [])])}",
    ]
    assert not options, f"options the toy does not copy yet: {options}"
    config = root / "importlinter.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


@pytest.fixture
def toys(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))  # grimp finds the toy package like any other

    def make(**kwargs) -> Path:
        root = tmp_path / uuid.uuid4().hex[:8]
        root.mkdir()
        monkeypatch.syspath_prepend(str(root))
        return toy_tree(root, **kwargs)

    return make


def test_the_real_tree_keeps_its_layers():
    assert lint(PYPROJECT)


def test_a_toy_tree_that_imports_down_passes(toys):
    config = toys(
        imports={
            "site.views": "from PKG.recruitment import models\nfrom PKG.core import models as core_models\n",
            "planning.progress": "from PKG.training import models\nfrom PKG.channels import models as c\n",
            "recruitment.services": "from PKG.privacy import models\n",  # ":" siblings may import each other
            "privacy.services": "from PKG.recruitment import models\n",
            "org.services": "from PKG.audit import models\n",
            "verification.services": "from PKG.notifications import models\n",
        }
    )
    assert lint(config)


@pytest.mark.parametrize(
    "module, source",
    [
        # What core did before: its demo command imported every feature app.
        ("core.management.commands.demo", "from PKG.recruitment.models import *\n"),
        # The same import hidden in a function still counts (grimp reads every import).
        ("core.urls", "def patterns():\n    from PKG.org import models\n    return models\n"),
        # The audit trail reaching a feature (it registers their models by label, not by import); a
        # cross-cutting app reaching a feature; a feature reaching the project level.
        ("audit.services", "from PKG.recruitment import models\n"),
        ("notifications.models", "from PKG.training import models\n"),
        ("training.views", "from PKG.site import views\n"),
        # Independent siblings ("|") may not import each other.
        ("planning.progress", "from PKG.outreach import models\n"),
        ("apitokens.views", "import PKG.verification.models\n"),
        # Lower layers of the split ones: notifications below verification, features below planning.
        ("notifications.services", "from PKG.verification import models\n"),
        ("channels.services", "from PKG.planning import models\n"),
    ],
)
def test_an_import_going_up_breaks_the_contract(toys, capsys, module, source):
    assert not lint(toys(imports={module: source}))
    report = " ".join(capsys.readouterr().out.split())
    app = module.split(".")[0]
    assert f".{app} is not allowed to import " in report, report
    assert f".{module} -> " in report, report


def test_an_app_without_a_place_in_the_layers_breaks_the_contract(toys, capsys):
    assert not lint(toys(extra_apps=("newcomer",)))
    assert "newcomer" in capsys.readouterr().out
