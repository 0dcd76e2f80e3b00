"""mesocentre metering collect-slurm: the old name of `mesocentre usage collect-slurm`, kept for one release.

It says so on stderr, then does exactly what `usage collect-slurm` does."""

from django.utils.translation import gettext as _

from mesocentre.metering.management.commands.usage import Command as UsageCommand
from mesocentre.metering.management.commands.usage import slurm_reason  # noqa: F401 - its old home


class Command(UsageCommand):
    help = "Deprecated: 'mesocentre usage collect-slurm' (this name goes in the next release)."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        self.add_collect_slurm(verbs)

    def handle(self, *args, **options):
        self.stderr.write(_("'mesocentre metering collect-slurm' is deprecated: use 'mesocentre usage collect-slurm'."))
        return super().handle(*args, **options)
