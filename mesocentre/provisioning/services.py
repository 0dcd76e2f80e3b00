def queue_depth() -> int:
    return 0
