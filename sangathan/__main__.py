"""The ``sangathan`` console script: Django's management commands under one name.

``sangathan import-units FILE`` is the same as ``sangathan import_units FILE``.
"""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangathan.config.settings.base")
    argv = list(sys.argv)
    argv[0] = "sangathan"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
