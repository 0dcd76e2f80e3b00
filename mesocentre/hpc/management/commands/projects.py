"""mesocentre projects notify | expire: the name of ``mesocentre hpc`` before the split (release 2026.12), kept for
one release so that the crontabs written for it keep working. It says so on standard error."""

import sys

from mesocentre.hpc.management.commands.hpc import Command as HpcCommand


class Command(HpcCommand):
    help = "Former name of `mesocentre hpc` (notify, expire), kept for one release."

    def handle(self, *args, **options):
        print("mesocentre projects notify|expire is now mesocentre hpc notify|expire.", file=sys.stderr)
        return super().handle(*args, **options)
