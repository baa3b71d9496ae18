"""Task bodies for the RQ side of the bench (the same three as bench/app/bench_app/tasks.ts)."""
import os
import time

import redis

_conn = None


def noop():
    pass


def sleep5():
    time.sleep(0.005)


def stamp(key, t0):
    """First thing: ms since the enqueuer read its clock (t0, epoch ms), pushed to list `key`."""
    dt = time.time() * 1000 - t0
    global _conn
    if _conn is None:
        _conn = redis.Redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))
    _conn.rpush(key, str(dt))
