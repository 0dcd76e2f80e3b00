"""Who the caller is, in the platform's terms. Used by every scoping method and permission."""


def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or getattr(user, "is_operator", False)))
