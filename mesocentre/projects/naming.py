"""How a project (or establishment) code becomes a Slurm account name: Slurm's own rules, in one place.

The rules and the mapping live with the Slurm client (``provisioning.slurm.names``): a valid code is kept, any
other is slugged, cut and suffixed with a hash of the original, so it is stable and distinct.
"""

from mesocentre.provisioning.slurm.names import account_name_for, is_valid_account


def is_valid(name: str) -> bool:
    return is_valid_account(name)


def account_name(code: str) -> str:
    return account_name_for(code)
