# File: bench/ceilings/probe.py
# Submit->finish latency under open-loop load. The loadgen's e2e mode submits
# closed-loop (as fast as it can), so the latency "at half the maximum rate"
# is measured here instead: while the loadgen holds the open-loop rate, this
# probe submits a few tasks per second of its own on one keep-alive
# connection, keeps their ids with the time each was *due* to be sent (open
# loop: a late send is charged, as in the loadgen), and afterwards reads
# each record. Client and server share this machine's clock, so
#   client latency = finished_at - due time        (what a submitter sees)
#   server latency = finished_at - submitted_at    (what the loadgen's e2e reports)
# Server timestamps have millisecond resolution.
import datetime
import http.client
import json
import random
import threading
import time

from . import procs

PAYLOAD = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor"


def body(op="wordcount"):
    return json.dumps({"type": op, "payload": PAYLOAD}).encode()


def parse_ts(text):
    """RFC 3339 UTC with milliseconds ('2026-11-22T02:36:58.374Z') -> epoch ms."""
    dt = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000.0


class Probe(threading.Thread):
    """Submits `rate` tasks/s from start() until stop(); .ids, .errors."""

    def __init__(self, port, rate):
        super().__init__(daemon=True)
        self.port, self.rate = port, rate
        self.ids, self.due_ms, self.errors = [], {}, 0
        self._stop_evt = threading.Event()

    def stop(self):
        self._stop_evt.set()
        self.join(timeout=10)

    def run(self):
        conn = http.client.HTTPConnection(procs.HOST, self.port, timeout=5)
        data = body()
        start = time.monotonic()
        wall_offset = time.time() - start  # monotonic -> epoch seconds
        i = 0
        try:
            while not self._stop_evt.is_set():
                due = start + i / self.rate
                delay = due - time.monotonic()
                if delay > 0 and self._stop_evt.wait(delay):
                    break
                i += 1
                try:
                    conn.request("POST", "/task", data, {"Content-Type": "application/json"})
                    r = conn.getresponse()
                    answer = r.read()
                    if r.status == 202:
                        task_id = json.loads(answer)["id"]
                        self.ids.append(task_id)
                        self.due_ms[task_id] = (wall_offset + due) * 1000.0
                    else:
                        self.errors += 1
                except (OSError, http.client.HTTPException, ValueError, KeyError):
                    self.errors += 1
                    conn.close()
                    conn = http.client.HTTPConnection(procs.HOST, self.port, timeout=5)
        finally:
            conn.close()


def accepted_due_ms(path, sample=None, seed=1):
    """{id: due time, epoch ms} from a `taskmesh-loadgen --accepted-out` file;
    with `sample`, a uniform random sample of at most that many ids."""
    with open(path) as f:
        due = dict((task_id, int(us) / 1000.0) for task_id, us in
                   (line.split() for line in f if line.strip()))
    if sample is not None and len(due) > sample:
        keep = random.Random(seed).sample(sorted(due), sample)
        due = {task_id: due[task_id] for task_id in keep}
    return due


def latencies_ms(port, ids, due_ms=None, settle_s=10.0, charge_unfinished=False):
    """(server latencies, client latencies, unfinished count) in ms over the
    ids that became terminal; client latencies only for ids in due_ms. With
    charge_unfinished, an id still unfinished after settle_s adds the time
    from its due time to then to the client latencies (a lower bound)."""
    conn = http.client.HTTPConnection(procs.HOST, port, timeout=5)
    pending, out, client = list(ids), [], []
    due_ms = due_ms or {}
    end = time.monotonic() + settle_s
    try:
        while pending and time.monotonic() < end:
            still = []
            for task_id in pending:
                conn.request("GET", f"/task/{task_id}")
                r = conn.getresponse()
                rec = json.loads(r.read()) if r.status == 200 else {}
                if rec.get("status") in ("succeeded", "failed", "dead") and rec.get("finished_at"):
                    finished = parse_ts(rec["finished_at"])
                    out.append(finished - parse_ts(rec["submitted_at"]))
                    if task_id in due_ms:
                        client.append(finished - due_ms[task_id])
                else:
                    still.append(task_id)
            pending = still
            if pending:
                time.sleep(0.1)
    finally:
        conn.close()
    if charge_unfinished:
        gave_up_ms = time.time() * 1000.0
        client += [gave_up_ms - due_ms[t] for t in pending if t in due_ms]
    return out, client, len(pending)


def percentile(xs, q):
    """Nearest-rank percentile (q in 0..100) of a list; None when empty."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]
