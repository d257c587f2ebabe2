#!/usr/bin/env python3
"""Scenarios for PyPI `rocketmq` 0.4.4 (a ctypes wrapper over the bundled rocketmq-client-cpp) against
mqgate's remoting front-end. One scenario per process, so a crash or a hang in the C++ library stays in its
own step: `scenarios.py --ns HOST:PORT --run ID NAME` exits 0 on success and prints why on failure.
`--list` names the scenarios the run script runs; `produce_for_go` and `consume_from_go` (with `--topic`) are
the Python halves of the cross-language exchange with client/main.go.

Messages carry a tag, keys and two user properties; consumers copy every field inside the callback, because
the C++ message handle is only valid there. Waits poll a condition with a deadline, never a fixed sleep,
except the short "settle" after the expected messages arrived, which is there to catch unexpected extras."""

import argparse
import os
import sys
import threading
import time

from rocketmq.client import Message, Producer, PullConsumer, PushConsumer, SendStatus
from rocketmq.ffi import MSG_CALLBACK_FUNC, dll

COUNT = 5  # messages per kind; client/main.go uses the same number
BIG_SIZE = 20000  # above the C++ and Go clients' 4 KiB compression threshold
PROPS = {"lang": "python", "origin": "cpython ctypes"}


# Every client object stays referenced until os._exit: the wrapper's __del__ destroys the C++ object, and
# destroying a push consumer while a producer of the same process still runs aborts the process
# (boost::lock_error from the shared client instance).
_alive = []


class Failed(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Failed(why)


def big_body(prefix):
    return prefix + "-big-" + "z" * (BIG_SIZE - len(prefix) - 5)


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def snapshot(msg):
    """Copies a received message (a RecvMessage) into a plain dict while its handle is valid."""
    return {
        "topic": text(msg.topic),
        "body": text(msg.body),
        "tags": text(msg.tags),
        "keys": text(msg.keys),
        "lang": text(msg.get_property("lang")),
        "origin": text(msg.get_property("origin")),
        "id": text(msg.id),
        "queue_id": msg.queue_id,
        "queue_offset": msg.queue_offset,
        "reconsume_times": msg.reconsume_times,
        "at": time.monotonic(),
    }


def message(topic, body, tag, keys, props=PROPS):
    m = Message(topic)
    m.set_body(body)
    m.set_tags(tag)
    m.set_keys(keys)
    for k, v in props.items():
        m.set_property(k, v)
    return m


def start_producer(ns, group):
    p = Producer(group, timeout=10000)
    _alive.append(p)
    p.set_namesrv_addr(ns)
    p.start()
    return p


def send_all(p, msgs):
    for m in msgs:
        r = p.send_sync(m)
        check(r.status == SendStatus.OK, "send status %r" % (r.status,))
        check(len(r.msg_id) == 32, "send result has msg id %r" % r.msg_id)


def check_intact(got, topic, tag, key_of):
    """Each received message has its topic, tag, keys (as `key_of(body)` says) and user properties."""
    for m in got:
        where = "message %r" % m["body"][:16]
        check(m["topic"] == topic, "%s: topic %r" % (where, m["topic"]))
        check(m["tags"] == tag, "%s: tag %r, want %r" % (where, m["tags"], tag))
        check(m["keys"] == key_of(m["body"]), "%s: keys %r, want %r" % (where, m["keys"], key_of(m["body"])))
        check(m["lang"] == PROPS["lang"] and m["origin"] == PROPS["origin"],
              "%s: user properties %r %r" % (where, m["lang"], m["origin"]))
        check(len(m["id"]) == 32, "%s: msg id %r" % (where, m["id"]))


class Collector:
    """Thread-safe list of snapshots, filled from the C++ consume threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, item):
        with self.lock:
            self.items.append(item)

    def wait(self, want, timeout, settle=1.0):
        """Waits up to `timeout` s for `want` messages, then `settle` s more for extras; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.items) >= want:
                    break
            time.sleep(0.05)
        else:
            with self.lock:
                raise Failed("timed out with %d of %d messages: %r"
                             % (len(self.items), want, [m["body"][:16] for m in self.items]))
        time.sleep(settle)
        with self.lock:
            return list(self.items)


def push_consumer(ns, group, topic, expression, sink, orderly=False):
    c = PushConsumer(group, orderly=orderly)
    _alive.append(c)
    c.set_namesrv_addr(ns)
    c.subscribe(topic, lambda msg: sink.add(snapshot(msg)), expression)
    c.start()
    return c


def push_collect(ns, group, topic, expression, want, timeout=40, orderly=False):
    sink = Collector()
    c = push_consumer(ns, group, topic, expression, sink, orderly)
    try:
        return sink.wait(want, timeout)
    finally:
        c.shutdown()


def pull_all(ns, group, topic, expression):
    """Reads every queue of the topic from offset 0 to the end with the 0.4.4 PullConsumer."""
    c = PullConsumer(group)
    _alive.append(c)
    c.offset_table = {}  # the class keeps one shared table; give this consumer its own
    c.set_namesrv_addr(ns)
    c.start()
    try:
        got = [snapshot(m) for m in c.pull(topic, expression)]
        again = [snapshot(m) for m in c.pull(topic, expression)]
    finally:
        c.shutdown()
    check(not again, "a second pull from the saved offsets returned %d old messages" % len(again))
    return got


def bodies(got):
    return sorted(m["body"] for m in got)


# ---- scenarios -------------------------------------------------------------------------------------------

def sent_tagged(ns, topic, group):
    """COUNT TagA messages a-i and COUNT TagB messages b-i, keys `pykey<i> shared` (two keys)."""
    p = start_producer(ns, group)
    try:
        send_all(p, [message(topic, "%s-%d" % (t[-1].lower(), i), t, "pykey%d shared" % i)
                     for t in ("TagA", "TagB") for i in range(COUNT)])
    finally:
        p.shutdown()


def key_of_numbered(body):
    return "pykey%s shared" % body.rsplit("-", 1)[1]


def sync_send_then_push_consume_with_tag_filter(ns, run):
    topic = "PySync_" + run
    sent_tagged(ns, topic, "py_pg_sync")
    got = push_collect(ns, "py_cg_sync", topic, "TagA", COUNT)
    check(bodies(got) == ["a-%d" % i for i in range(COUNT)],
          "push consumer on TagA got %r" % bodies(got))
    check_intact(got, topic, "TagA", key_of_numbered)


def push_consume_with_tag_expression_or(ns, run):
    topic = "PyOr_" + run
    sent_tagged(ns, topic, "py_pg_or")
    p = start_producer(ns, "py_pg_or_c")
    try:
        send_all(p, [message(topic, "c-0", "TagC", "pykey0 shared")])
    finally:
        p.shutdown()
    got = push_collect(ns, "py_cg_or", topic, "TagA || TagC", COUNT + 1)
    check(bodies(got) == ["a-%d" % i for i in range(COUNT)] + ["c-0"], "got %r" % bodies(got))


def pull_consume_reads_every_queue(ns, run):
    topic = "PyPull_" + run
    sent_tagged(ns, topic, "py_pg_pull")
    got = pull_all(ns, "py_pull_all", topic, "*")
    want = sorted("%s-%d" % (k, i) for k in "ab" for i in range(COUNT))
    check(bodies(got) == want, "pull of * got %r" % bodies(got))
    check_intact([m for m in got if m["body"].startswith("a-")], topic, "TagA", key_of_numbered)
    check_intact([m for m in got if m["body"].startswith("b-")], topic, "TagB", key_of_numbered)
    queues = {m["queue_id"] for m in got}
    check(len(queues) > 1, "all messages on one queue %r: round robin expected" % queues)


def pull_consume_with_tag_filter(ns, run):
    topic = "PyPullTag_" + run
    sent_tagged(ns, topic, "py_pg_pulltag")
    got = pull_all(ns, "py_pull_tag", topic, "TagB")
    check(bodies(got) == ["b-%d" % i for i in range(COUNT)], "pull of TagB got %r" % bodies(got))
    check_intact(got, topic, "TagB", key_of_numbered)


def oneway_send(ns, run):
    topic = "PyOneway_" + run
    p = start_producer(ns, "py_pg_oneway")
    try:
        for i in range(COUNT):
            p.send_oneway(message(topic, "oneway-%d" % i, "TagA", "pykey%d shared" % i))
    finally:
        p.shutdown()
    got = push_collect(ns, "py_cg_oneway", topic, "*", COUNT)
    check(bodies(got) == ["oneway-%d" % i for i in range(COUNT)], "got %r" % bodies(got))
    check_intact(got, topic, "TagA", key_of_numbered)


def async_send(ns, run):
    topic = "PyAsync_" + run
    p = start_producer(ns, "py_pg_async")
    results, lock, done = [], threading.Lock(), threading.Event()

    def on_result(r):
        with lock:
            results.append(r)
            if len(results) == COUNT:
                done.set()

    try:
        msgs = [message(topic, "async-%d" % i, "TagA", "pykey%d shared" % i) for i in range(COUNT)]
        for m in msgs:
            p.send_async(m, on_result, on_result)
        check(done.wait(30), "only %d of %d async sends completed" % (len(results), COUNT))
    finally:
        p.shutdown()
    for r in results:
        check(not isinstance(r, Exception), "async send failed: %r" % (r,))
        check(r.status == SendStatus.OK, "async send status %r" % (r.status,))
    got = push_collect(ns, "py_cg_async", topic, "*", COUNT)
    check(bodies(got) == ["async-%d" % i for i in range(COUNT)], "got %r" % bodies(got))
    check_intact(got, topic, "TagA", key_of_numbered)


def batch_send(ns, run):
    topic = "PyBatch_" + run
    p = start_producer(ns, "py_pg_batch")
    try:
        r = p.send_batch([message(topic, "batch-%d" % i, "TagA", "pykey%d shared" % i) for i in range(COUNT)])
        check(r.status == SendStatus.OK, "batch send status %r" % (r.status,))
    finally:
        p.shutdown()
    got = push_collect(ns, "py_cg_batch", topic, "TagA", COUNT)
    check(bodies(got) == ["batch-%d" % i for i in range(COUNT)],
          "a batch of %d came back as %r" % (COUNT, bodies(got)))
    check_intact(got, topic, "TagA", key_of_numbered)
    check(len({m["queue_id"] for m in got}) == 1, "a batch goes to one queue")


def orderly_send_and_orderly_push_consume(ns, run):
    topic = "PyOrderly_" + run
    n = 2 * COUNT
    p = start_producer(ns, "py_pg_orderly")
    try:
        for i in range(n):
            r = p.send_orderly(message(topic, "ordered-%02d" % i, "TagA", "pykey%d shared" % i), 3)
            check(r.status == SendStatus.OK, "orderly send status %r" % (r.status,))
    finally:
        p.shutdown()
    got = push_collect(ns, "py_cg_orderly", topic, "*", n, orderly=True)
    check([m["body"] for m in got] == ["ordered-%02d" % i for i in range(n)],
          "orderly consumer saw %r" % [m["body"] for m in got])
    check(len({m["queue_id"] for m in got}) == 1, "one sharding key, one queue: %r" % {m["queue_id"] for m in got})
    offsets = [m["queue_offset"] for m in got]
    check(offsets == sorted(offsets), "queue offsets out of order: %r" % offsets)


def compressed_body_round_trip(ns, run):
    topic = "PyBig_" + run
    p = start_producer(ns, "py_pg_big")
    try:
        send_all(p, [message(topic, big_body("py"), "TagA", "pykey_big")])
    finally:
        p.shutdown()
    got = push_collect(ns, "py_cg_big", topic, "*", 1)
    check(len(got) == 1 and got[0]["body"] == big_body("py"),
          "20 KB body came back as %d bytes" % len(got[0]["body"]) if got else "nothing")
    check_intact(got, topic, "TagA", lambda b: "pykey_big")


def delay_level_message_waits(ns, run):
    topic = "PyDelay_" + run
    sink = Collector()
    c = push_consumer(ns, "py_cg_delay", topic, "*", sink)
    try:
        p = start_producer(ns, "py_pg_delay")
        try:
            m = message(topic, "delayed-0", "TagA", "pykey0 shared")
            m.set_delay_time_level(2)  # 5 s
            sent = time.monotonic()
            send_all(p, [m])
        finally:
            p.shutdown()
        got = sink.wait(1, 40)
    finally:
        c.shutdown()
    waited = got[0]["at"] - sent
    check(4.0 <= waited < 30, "delay level 2 (5 s) delivered after %.1f s" % waited)
    check_intact(got, topic, "TagA", key_of_numbered)


def reconsume_later_redelivers(ns, run):
    """A callback that answers RECONSUME_LATER (1) makes the C++ client send the message back; it comes back
    from %RETRY%<group> with reconsume_times 1 and its own topic, tag, keys and properties. The 0.4.4 wrapper's
    subscribe() cannot return RECONSUME_LATER (it re-raises inside the ctypes callback), so this registers a
    raw callback."""
    topic = "PyRetry_" + run
    p = start_producer(ns, "py_pg_retry")
    try:
        send_all(p, [message(topic, "retry-0", "TagA", "pykey0 shared")])
    finally:
        p.shutdown()
    sink = Collector()

    def on_message(_consumer, handle):
        from rocketmq.client import RecvMessage
        m = snapshot(RecvMessage(handle))
        sink.add(m)
        return 1 if m["reconsume_times"] == 0 else 0

    c = PushConsumer("py_cg_retry")
    _alive.append(c)
    c.set_namesrv_addr(ns)
    dll.Subscribe(c._handle, topic.encode(), b"*")
    c._callback_refs.append(MSG_CALLBACK_FUNC(on_message))
    dll.RegisterMessageCallback(c._handle, c._callback_refs[-1])
    c.start()
    try:
        got = sink.wait(2, 60)
    finally:
        c.shutdown()
    check([m["reconsume_times"] for m in got] == [0, 1], "reconsume times %r" % [m["reconsume_times"] for m in got])
    check_intact(got, topic, "TagA", key_of_numbered)


def push_resumes_from_committed_offset(ns, run):
    topic = "PyResume_" + run
    p = start_producer(ns, "py_pg_resume")
    try:
        send_all(p, [message(topic, "early-%d" % i, "TagA", "pykey%d shared" % i) for i in range(COUNT)])
        got = push_collect(ns, "py_cg_resume", topic, "*", COUNT)
        check(bodies(got) == ["early-%d" % i for i in range(COUNT)], "first consumer got %r" % bodies(got))
        send_all(p, [message(topic, "late-%d" % i, "TagA", "pykey%d shared" % i) for i in range(2)])
    finally:
        p.shutdown()
    got = push_collect(ns, "py_cg_resume", topic, "*", 2)
    check(bodies(got) == ["late-0", "late-1"],
          "restarted consumer of the same group got %r (committed offsets ignored?)" % bodies(got))


def produce_for_go(ns, topic):
    p = start_producer(ns, "py_to_go_pg")
    try:
        send_all(p, [message(topic, big_body("py"), "FromPython", "pykey_big")]
                 + [message(topic, "py-%d" % i, "FromPython", "pykey%d" % i) for i in range(COUNT)])
    finally:
        p.shutdown()


def consume_from_go(ns, topic):
    got = push_collect(ns, "go_to_py_cg", topic, "FromGo", COUNT + 1)
    check(bodies(got) == sorted([big_body("go")] + ["go-%d" % i for i in range(COUNT)]),
          "from Go got %r" % [b[:16] for b in bodies(got)])
    for m in got:
        # main.go numbers keys over all its sends, the big body first
        want_key = "gokey0" if m["body"].startswith("go-big-") else "gokey%d" % (int(m["body"][3:]) + 1)
        check(m["topic"] == topic and m["tags"] == "FromGo" and m["keys"] == want_key and m["lang"] == "go",
              "message from Go not intact: %r" % {k: v for k, v in m.items() if k != "body"})


SCENARIOS = [
    sync_send_then_push_consume_with_tag_filter,
    push_consume_with_tag_expression_or,
    pull_consume_reads_every_queue,
    pull_consume_with_tag_filter,
    oneway_send,
    async_send,
    batch_send,
    orderly_send_and_orderly_push_consume,
    compressed_body_round_trip,
    delay_level_message_waits,
    reconsume_later_redelivers,
    push_resumes_from_committed_offset,
]
CROSS = {"produce_for_go": produce_for_go, "consume_from_go": consume_from_go}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns", default="127.0.0.1:9876")
    ap.add_argument("--run", default=str(int(time.time())))
    ap.add_argument("--topic", help="topic of a cross-language step")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("name", nargs="?")
    a = ap.parse_args()
    if a.list:
        print("\n".join(s.__name__ for s in SCENARIOS))
        return 0
    by_name = {s.__name__: s for s in SCENARIOS}
    try:
        if a.name in CROSS:
            CROSS[a.name](a.ns, a.topic)
        elif a.name in by_name:
            by_name[a.name](a.ns, a.run)
        else:
            ap.error("unknown scenario %r" % a.name)
    except Failed as e:
        print("FAIL %s: %s" % (a.name, e))
        return 1
    except Exception as e:  # the wrapper's exceptions carry the C++ client's message
        print("FAIL %s: %s: %s" % (a.name, type(e).__name__, e))
        return 1
    print("PASS %s" % a.name)
    return 0


if __name__ == "__main__":
    rc = main()
    sys.stdout.flush()
    # Skip interpreter teardown: the wrapper's __del__ shuts the C++ client down a second time while its
    # threads may still call back into Python.
    os._exit(rc)
