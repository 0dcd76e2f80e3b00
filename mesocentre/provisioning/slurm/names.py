"""Which names may reach Slurm, and how any project code becomes one.

What sacctmgr does with a name (Slurm 22.05, seen on this machine and in ``slurm_addto_char_list_with_case``):
  - lowercases account names (and user names unless ``PreserveCaseUser``): ``P3`` is stored as ``p3``;
  - splits on ``,`` (``a,b`` is two accounts) and expands brackets as host lists (``x[1-3]`` is x1, x2, x3);
  - turns ``'`` and ``"`` into a backtick, strips a leading quote; an argument holding ``=`` is read as an option;
  - stores anything else verbatim (``semi;colon`` becomes an account) and cuts names at 255 characters (the
    database column is a TINYTEXT), so two long names may silently become one.
None of that is an error for sacctmgr, so the platform checks every name itself, conservatively: a lowercase
letter, then lowercase letters, digits, ``_`` and ``-``, at most 32 characters in all (the Unix limit for user and
group names: a site often creates a Unix group named after each project account).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

ACCOUNT_MAX_LENGTH = 32
USER_MAX_LENGTH = 32
CLUSTER_MAX_LENGTH = 40
HASH_LENGTH = 8

ACCOUNT_RE = re.compile(rf"[a-z][a-z0-9_-]{{0,{ACCOUNT_MAX_LENGTH - 1}}}")
# Unix logins: Debian's adduser accepts a leading underscore and dots (LDAP's "first.last"); never uppercase,
# which Slurm would lowercase behind our back.
USER_RE = re.compile(rf"[a-z_][a-z0-9_.-]{{0,{USER_MAX_LENGTH - 1}}}")
CLUSTER_RE = re.compile(rf"[a-z][a-z0-9_]{{0,{CLUSTER_MAX_LENGTH - 1}}}")
# Trackable resources as GrpTRESMins names them: cpu, mem, node, billing, energy, gres/gpu, gres/gpu:a100, …
TRES_RE = re.compile(
    r"(cpu|mem|node|billing|energy|fs/disk|vmem|pages|(gres|license|bb)/[a-z][a-z0-9_]{0,31}(:[a-z0-9_]{1,32})?)"
)
# Reserved words of sacctmgr's command line: harmless behind ``name=``, refused anyway so that no name can ever be
# read as a keyword, and 'root' which is the cluster's own top account.
RESERVED = frozenset({"root", "where", "set", "withassoc", "withcoord", "withdeleted", "withsubaccounts", "all"})


class InvalidName(ValueError):
    """A value that must not reach Slurm; the message says why, in words an operator understands."""


def _check(kind: str, value: object, pattern: re.Pattern[str], max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidName(f"A Slurm {kind} name must be text, not {type(value).__name__}.")
    if not value:
        raise InvalidName(f"A Slurm {kind} name cannot be empty.")
    if len(value) > max_length:
        raise InvalidName(f"The Slurm {kind} name {value[:40]!r}… is longer than {max_length} characters.")
    if not pattern.fullmatch(value):
        raise InvalidName(
            f"The Slurm {kind} name {value!r} is not allowed: it must start with a lowercase letter and hold only "
            "lowercase letters, digits, '_' and '-'" + (" or '.'" if kind == "user" else "") + "."
        )
    return value


def validate_account(name: object, *, allow_root: bool = False) -> str:
    """Return ``name`` if it is a valid Slurm account name, raise ``InvalidName`` otherwise."""
    _check("account", name, ACCOUNT_RE, ACCOUNT_MAX_LENGTH)
    if name in RESERVED and not (allow_root and name == "root"):
        raise InvalidName(f"{name!r} is a reserved word of sacctmgr and cannot name a project account.")
    return name  # type: ignore[return-value]


def validate_user(login: object) -> str:
    """Return ``login`` if it is a valid Unix login for Slurm, raise ``InvalidName`` otherwise."""
    _check("user", login, USER_RE, USER_MAX_LENGTH)
    if login in RESERVED - {"root"}:
        raise InvalidName(f"{login!r} is a reserved word of sacctmgr and cannot be a user name.")
    return login  # type: ignore[return-value]


def validate_cluster(name: object) -> str:
    return _check("cluster", name, CLUSTER_RE, CLUSTER_MAX_LENGTH)


def validate_tres(name: object) -> str:
    if not isinstance(name, str) or not TRES_RE.fullmatch(name):
        raise InvalidName(f"{name!r} is not a trackable resource name (such as 'cpu' or 'gres/gpu').")
    return name


def is_valid_account(name: object) -> bool:
    try:
        validate_account(name)
    except InvalidName:
        return False
    return True


def account_name_for(code: str, *, prefix: str = "") -> str:
    """A valid, stable account name for any project code or title.

    A code that is already a valid account name (with ``prefix`` before it) is used unchanged. Anything else
    becomes a slug (accents dropped, lowercase, every run of other characters a single '-') cut to fit, followed by
    '-' and the first 8 hex digits of the SHA-256 of the original code: the same code always gives the same name,
    and two codes that slug alike ('AB c', 'ab-c') still get different names.
    """
    if not isinstance(code, str):
        raise InvalidName(f"A project code must be text, not {type(code).__name__}.")
    if prefix:
        validate_account(prefix.rstrip("-_") or "x")  # a prefix must itself be a plausible start of a name
    candidate = prefix + code
    if is_valid_account(candidate):
        return candidate
    ascii_text = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text).strip("-_")
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    head = prefix + slug
    if not head or not head[0].isalpha():
        head = "p-" + head if head else "p"
    room = ACCOUNT_MAX_LENGTH - HASH_LENGTH - 1
    head = head[:room].rstrip("-_")
    return validate_account(f"{head}-{digest}")
