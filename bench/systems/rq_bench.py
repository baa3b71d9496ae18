"""RQ under the bench scenarios (run by /usr/bin/python3, Debian's python3-rq).

Usage: rq_bench.py <command> [args]; prints one JSON object. Commands:
  enqueue-one N | enqueue-bulk N     jobs/s for N no-op enqueues (Queue.enqueue / enqueue_many)
  throughput TASK N                  N jobs queued, then `rq worker --burst` (SimpleWorker)
                                     drains them: N / (last ended_at - first started_at)
  latency SAMPLES                    enqueue -> task start with an idle SimpleWorker (ms)
  memory N                           Redis used_memory delta per queued job (bytes)
Keys: RQ's own `rq:*` names in the bench database (BENCH_REDIS_URL), deleted after each command.
"""
import json
import os
import subprocess
import sys
import time

import redis
import rq
from rq import Queue
from rq.registry import FinishedJobRegistry, FailedJobRegistry

URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rq_tasks  # noqa: E402

conn = redis.Redis.from_url(URL)
SLICE = 1000


def drop():
    for key in conn.scan_iter("rq:*", count=2000):
        conn.unlink(key)


def fill(q, func, n, kwargs=lambda i: {}):
    for start in range(0, n, SLICE):
        datas = [Queue.prepare_data(func, kwargs=kwargs(i), result_ttl=3600) for i in range(start, min(n, start + SLICE))]
        with conn.pipeline() as pipe:
            q.enqueue_many(datas, pipeline=pipe)
            pipe.execute()


def worker(queue, burst):
    args = ["/usr/bin/python3", "-c", "import sys; from rq.cli import main; sys.argv[0] = 'rq'; main()",
            "worker", "-w", "rq.worker.SimpleWorker", "--url", URL, "--path", HERE, "--quiet"]
    args += ["--burst", queue] if burst else [queue]
    return subprocess.Popen(args, env={**os.environ, "BENCH_REDIS_URL": URL}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def enqueue_one(n):
    q = Queue("rqbench", connection=conn)
    t = time.perf_counter()
    for i in range(n):
        q.enqueue(rq_tasks.noop, kwargs={"i": i})
    return {"rate": n / (time.perf_counter() - t)}


def enqueue_bulk(n):
    q = Queue("rqbench", connection=conn)
    t = time.perf_counter()
    fill(q, rq_tasks.noop, n, lambda i: {"i": i})
    return {"rate": n / (time.perf_counter() - t)}


def throughput(task, n):
    q = Queue("rqbench", connection=conn)
    fill(q, getattr(rq_tasks, task), n)
    w = worker("rqbench", burst=True)
    _, err = w.communicate(timeout=180)
    if w.returncode != 0:
        raise SystemExit(f"rq worker exited {w.returncode}: {err.decode()[-2000:]}")
    failed = FailedJobRegistry(queue=q).count
    ids = FinishedJobRegistry(queue=q).get_job_ids()
    if failed or len(ids) < n:
        raise SystemExit(f"rq: {len(ids)} of {n} jobs finished, {failed} failed")
    starts, ends = [], []
    for job in rq.job.Job.fetch_many(ids, connection=conn):
        starts.append(job.started_at.timestamp())
        ends.append(job.ended_at.timestamp())
    return {"rate": n / (max(ends) - min(starts))}


def latency(samples):
    q = Queue("rqbench", connection=conn)
    key = "bench:latency:rq"
    conn.delete(key)
    w = worker("rqbench", burst=False)
    lat = []
    try:
        for i in range(-5, samples):
            q.enqueue(rq_tasks.stamp, key=key, t0=time.time() * 1000)
            got = conn.blpop(key, 20)
            if got is None:
                raise SystemExit("rq latency: no stamp within 20 s")
            if i >= 0:
                lat.append(float(got[1]))
            time.sleep((5 + i % 5) / 1000)
    finally:
        w.terminate()
        w.wait(timeout=10)
        conn.delete(key)
    return {"samples": lat}


def memory(n):
    q = Queue("rqbench", connection=conn)
    before = conn.info("memory")["used_memory"]
    fill(q, rq_tasks.noop, n, lambda i: {"i": i})
    after = conn.info("memory")["used_memory"]
    return {"perJob": (after - before) / n}


def main():
    cmd, args = sys.argv[1], [a for a in sys.argv[2:]]
    drop()
    try:
        if cmd == "enqueue-one":
            out = enqueue_one(int(args[0]))
        elif cmd == "enqueue-bulk":
            out = enqueue_bulk(int(args[0]))
        elif cmd == "throughput":
            out = throughput(args[0], int(args[1]))
        elif cmd == "latency":
            out = latency(int(args[0]))
        elif cmd == "memory":
            out = memory(int(args[0]))
        else:
            raise SystemExit(f"rq_bench.py: unknown command {cmd!r}")
    finally:
        drop()
    out["version"] = rq.VERSION
    print(json.dumps(out))


if __name__ == "__main__":
    main()
