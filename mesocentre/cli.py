"""The `mesocentre` command: Django's management commands plus the platform's own verbs.

`mesocentre quote …`, `mesocentre demo`, `mesocentre worker` are management commands of the apps;
this wrapper only points Django at the right settings so operators never type `manage.py`.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mesocentre", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
