"""The `mesocentre` command: Django's management commands plus the platform's own verbs.

`mesocentre quote …`, `mesocentre demo`, `mesocentre worker` are management commands of the apps;
this wrapper only points Django at the right settings so operators never type `manage.py`.
`mesocentre help` (or no argument) lists the platform's verbs first, by domain, and Django's below them;
`mesocentre help <command>` is Django's help of that command.
"""

import os
import sys
from collections import defaultdict

HELP_WORDS = ("help", "--help", "-h")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
    args = sys.argv[1:] if argv is None else argv
    if not args or (len(args) == 1 and args[0] in HELP_WORDS):
        import django

        django.setup()
        sys.stdout.write(main_help_text())
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mesocentre", *args])


def main_help_text() -> str:
    """The platform's commands under their app's name, each with its one line, then the others by package."""
    from django.apps import apps
    from django.core.management import get_commands, load_command_class
    from django.utils.translation import gettext as _

    ours: dict[str, list[str]] = defaultdict(list)
    others: dict[str, list[str]] = defaultdict(list)
    for name, app in get_commands().items():
        (ours if app.startswith("mesocentre.") else others)[app].append(name)
    width = max(len(name) for names in ours.values() for name in names)
    lines = [
        _("Usage: mesocentre <command> [options]"),
        _("Type 'mesocentre help <command>' for the options of one command."),
        "",
        _("The platform's commands:"),
    ]
    # Domains in the order of INSTALLED_APPS, which is the order of the layers, bottom up.
    for config in apps.get_app_configs():
        for position, name in enumerate(sorted(ours.get(config.name, []))):
            if position == 0:
                lines += ["", f"  {config.verbose_name}"]
            summary = _one_line(load_command_class(config.name, name).help)
            lines.append(f"    {name.ljust(width)}  {summary}".rstrip())
    lines += ["", _("Django's and the other packages' commands:")]
    for package in sorted(others, key=_package):
        lines += ["", f"  [{_package(package)}]"]
        lines += [f"    {name}" for name in sorted(others[package])]
    return "\n".join(lines) + "\n"


def _package(app: str) -> str:
    # As Django names them in its own list: "django" for its core, the app's last part for the others.
    return "django" if app == "django.core" else app.rpartition(".")[2]


def _one_line(text: str) -> str:
    return str(text).strip().split("\n", 1)[0]


if __name__ == "__main__":
    main()
