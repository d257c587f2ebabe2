"""Scenarios run by the official RocketMQ 5.x Python gRPC client (PyPI rocketmq-python-client, pinned by the run
script) against mqgate's gRPC front-end: producer (normal, delay, transaction) and SimpleConsumer (receive, ack,
change_invisible_duration and redelivery). Prints "PASS name" / "FAIL name: reason" and "N passed, M failed" last.
Usage: scenarios.py host:port [scenario ...]"""

import sys
import time
import traceback

from rocketmq import (ClientConfiguration, Credentials, FilterExpression, Message, Producer, SimpleConsumer,
                      TransactionChecker, TransactionResolution)

ENDPOINT = sys.argv[1]
ONLY = set(sys.argv[2:])
CFG = ClientConfiguration(ENDPOINT, Credentials(), request_timeout=5)


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def started(client):
    client.startup()
    return client


def message(topic, tag, body, **props):
    m = Message()
    m.topic = topic
    m.tag = tag
    m.body = body.encode()
    for k, v in props.items():
        m.add_property(k, v)
    return m


def receive_n(consumer, n, invisible=30, max_s=20, ack=True):
    got, end = [], time.time() + max_s
    while len(got) < n and time.time() < end:
        for m in consumer.receive(16, invisible) or []:
            got.append(m)
            if ack:
                consumer.ack(m)
    return got


def normal():
    topic = "PyNormal"
    p = started(Producer(CFG, (topic,)))
    c = started(SimpleConsumer(CFG, "PyGNormal", {topic: FilterExpression("*")}, await_duration=3))
    try:
        ids = set()
        for i in range(5):
            m = message(topic, "TagA", f"body-{i}", idx=str(i))
            m.keys = f"k{i}"
            ids.add(p.send(m).message_id)
        got = receive_n(c, 5)
        check(len(got) == 5, f"received {len(got)} of 5")
        for m in got:
            idx = m.properties.get("idx")
            check(m.message_id in ids, f"unknown id {m.message_id}")
            check(m.body == f"body-{idx}".encode(), f"body {m.body!r} idx {idx}")
            check(m.tag == "TagA", f"tag {m.tag}")
            check(f"k{idx}" in (m.keys or []), f"keys {m.keys}")
        check(not c.receive(16, 30), "acked messages came back")
    finally:
        c.shutdown()
        p.shutdown()


def change_invisible():
    topic = "PyChange"
    p = started(Producer(CFG, (topic,)))
    c = started(SimpleConsumer(CFG, "PyGChange", {topic: FilterExpression("*")}, await_duration=3))
    try:
        mid = p.send(message(topic, "T", "retry-me")).message_id
        first = receive_n(c, 1, ack=False)
        check(len(first) == 1, "first delivery missing")
        c.change_invisible_duration(first[0], 1)
        again = receive_n(c, 1, ack=False)
        check(len(again) == 1, "no redelivery after change_invisible_duration")
        check(again[0].message_id == mid, "a different message came back")
        check(again[0].delivery_attempt == 2, f"attempt {again[0].delivery_attempt}")
        c.ack(again[0])
    finally:
        c.shutdown()
        p.shutdown()


def delay():
    topic = "PyDelay"
    p = started(Producer(CFG, (topic,)))
    c = started(SimpleConsumer(CFG, "PyGDelay", {topic: FilterExpression("*")}, await_duration=3))
    try:
        due_s = int(time.time()) + 3  # this client takes the delivery time in whole seconds
        due = due_s * 1000
        m = message(topic, "D", "later")
        m.delivery_timestamp = due_s
        p.send(m)
        got = receive_n(c, 1)
        at = int(time.time() * 1000)
        check(len(got) == 1, "delayed message never arrived")
        check(at >= due - 200, f"arrived {due - at} ms early")
    finally:
        c.shutdown()
        p.shutdown()


class Rollback(TransactionChecker):
    def check(self, message):
        return TransactionResolution.ROLLBACK


def transaction():
    topic = "PyTx"
    p = started(Producer(CFG, (topic,), Rollback()))
    c = started(SimpleConsumer(CFG, "PyGTx", {topic: FilterExpression("*")}, await_duration=3))
    try:
        t1 = p.begin_transaction()
        p.send(message(topic, "T", "commit-me"), t1)
        t2 = p.begin_transaction()
        p.send(message(topic, "T", "roll-me-back"), t2)
        check(not c.receive(16, 30), "half message visible before commit")
        t1.commit()
        t2.rollback()
        got = receive_n(c, 1)
        check(len(got) == 1 and got[0].body == b"commit-me", "committed message missing")
        check(not c.receive(16, 30), "rolled-back message delivered")
    finally:
        c.shutdown()
        p.shutdown()


SCENARIOS = {
    "producer-normal-simple-consumer-ack": normal,
    "simple-change-invisible-redelivery": change_invisible,
    "producer-delay": delay,
    "producer-transaction-commit-rollback": transaction,
}

passed = failed = 0
for name, fn in SCENARIOS.items():
    if ONLY and name not in ONLY:
        continue
    t0 = time.time()
    try:
        fn()
        passed += 1
        print(f"PASS {name} ({int((time.time() - t0) * 1000)} ms)", flush=True)
    except BaseException as e:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print(f"FAIL {name}: {e!r}", flush=True)
        traceback.print_exc(file=sys.stdout)
print(f"{passed} passed, {failed} failed", flush=True)
sys.exit(0 if failed == 0 else 1)
