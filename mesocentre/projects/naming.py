"""How a project code becomes a Slurm account name (the Slurm helper may replace this later).

Conservative: a lowercase letter, then lowercase letters, digits, '_' and '-', at most 30 characters. A code
that does not fit is slugged, cut, and given a hash suffix of the original code, so the same code always maps to
the same name and two codes that slug alike still get different names.
"""

import hashlib
import re
import unicodedata

MAX_LENGTH = 30
HASH_LENGTH = 8
VALID = re.compile(rf"[a-z][a-z0-9_-]{{0,{MAX_LENGTH - 1}}}")
RESERVED = frozenset({"root", "where", "set", "withassoc", "withcoord", "withdeleted", "withsubaccounts", "all"})


def is_valid(name: str) -> bool:
    return bool(VALID.fullmatch(name or "")) and name not in RESERVED


def account_name(code: str) -> str:
    if is_valid(code):
        return code
    ascii_text = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text).strip("-_")
    if not slug or not slug[0].isalpha():
        slug = f"p-{slug}" if slug else "p"
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    head = slug[: MAX_LENGTH - HASH_LENGTH - 1].rstrip("-_")
    return f"{head}-{digest}"
