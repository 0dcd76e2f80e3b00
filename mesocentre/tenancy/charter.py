"""The centre's usage charter: whether a user still has to accept it before any cluster knows them."""


def must_accept(user) -> bool:
    """True while ``user`` has not accepted the charter in force (a new version asks again)."""
    return user.is_authenticated and user.charter_accepted_at is None
