"""Numbers that are identifiers are never localised in templates.

With USE_THOUSAND_SEPARATOR (Hindi and English both group digits), ``{{ unit.pk }}`` renders 1011 as
"1,011": a link or a hidden field carrying it then names no row, and the page answers 404 once the ids pass
999 (as they do on PostgreSQL in a long test run, and in any real installation). An id in a template goes
through ``|unlocalize`` (or ``{% url %}``, which never localises).
"""

import re
from pathlib import Path

import sangathan

ID_IN_A_TEMPLATE = re.compile(r"\{\{ *[A-Za-z_.]*(?:\.pk|\.id|_id|_pk) *\}\}")


def test_ids_in_templates_are_not_localised():
    root = Path(sangathan.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ID_IN_A_TEMPLATE.search(line)
    ]
    assert not found, "an id rendered with the thousands separator:\n" + "\n".join(found)


def test_an_unlocalised_id_renders_without_a_separator(settings):
    from django.template import engines
    from django.utils import translation

    settings.USE_THOUSAND_SEPARATOR = True
    template = engines["django"].from_string("{% load l10n %}{{ pk }} {{ pk|unlocalize }}")
    for language in ("hi", "en"):
        with translation.override(language):
            localised, plain = template.render({"pk": 1011}).split()
        assert localised != "1011"  # the trap this guards against
        assert plain == "1011"
