"""python-qpid-proton 0.40.0 scenarios against mqgate's AMQP 1.0 listener.

Usage: test.py host:port [scenario ...]. Prints PASS/FAIL per scenario and "N passed, M failed" last; exits 1
on any failure. Uses proton's blocking API; proton names a sender and a receiver on one address alike
(`<container>-<address>`), which is the same-name link case the server must accept.
"""
import sys
import time
import uuid

from proton import Message
from proton.reactor import Selector
from proton.utils import BlockingConnection, LinkDetached

URL = sys.argv[1]
ONLY = set(sys.argv[2:])
RUN = "proton" + uuid.uuid4().hex[:8]


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def connect():
    return BlockingConnection(URL, user="guest", password="guest", allowed_mechs="PLAIN", timeout=10)


def drain(receiver, wait=0.7):
    got = []
    while True:
        try:
            m = receiver.receive(timeout=wait)
        except Exception:  # proton raises Timeout when nothing arrives
            return got
        got.append(m)
        receiver.accept()


def same_name_sender_and_receiver():
    conn = connect()
    address = RUN + "-same"
    # No explicit names: proton derives both link names from the container id and the address.
    sender = conn.create_sender(address)
    receiver = conn.create_receiver(address, credit=10)
    check(sender.link.name == receiver.link.name, "proton did not reuse the link name: %s vs %s" % (sender.link.name, receiver.link.name))
    sender.send(Message(body="same name", properties={"n": 3, "ok": True}))
    m = receiver.receive(timeout=5)
    receiver.accept()
    check(m.body == "same name", "body %r" % m.body)
    check(m.properties == {"n": 3, "ok": True}, "properties %r" % m.properties)
    conn.close()


def selector_key_selector_symbolic_descriptor():
    conn = connect()
    address = RUN + "-sel"
    sender = conn.create_sender(address, name="s-" + address)
    for i, color in enumerate(["red", "blue", "red"]):
        sender.send(Message(body="m%d" % i, properties={"color": color, "n": i}))
    reds = conn.create_receiver(address, name="r1-" + address, credit=10, options=[Selector("color = 'red' AND n > 0")])
    got = [m.body for m in drain(reds)]
    check(got == ["m2"], "selector matched %r" % got)
    reds.close()
    rest = conn.create_receiver(address, name="r2-" + address, credit=10)
    left = [m.body for m in drain(rest)]
    check(left == ["m0", "m1"], "unmatched messages should stay in order, got %r" % left)
    conn.close()


def invalid_selector_refuses_the_link():
    conn = connect()
    refused = None
    try:
        r = conn.create_receiver(RUN + "-bad", credit=1, options=[Selector("n >")])
        r.receive(timeout=3)
    except LinkDetached as e:
        refused = e
    except Exception as e:  # a refusal may surface as a timeout-free LinkException subclass
        refused = e
    check(refused is not None, "an invalid selector was accepted")
    check("invalid-field" in str(refused) or "selector" in str(refused), "unexpected error: %r" % refused)
    conn.close()


def large_message_and_typed_values():
    conn = connect()
    address = RUN + "-big"
    body = bytes(range(256)) * 3000  # 768 KB: several frames each way
    sender = conn.create_sender(address, name="s-" + address)
    sender.send(Message(body=body, subject="bulk", properties={"size": len(body), "ratio": 0.25}))
    receiver = conn.create_receiver(address, name="r-" + address, credit=5)
    m = receiver.receive(timeout=10)
    receiver.accept()
    check(m.body == body, "large body differs (%d bytes)" % len(m.body or b""))
    check(m.subject == "bulk" and m.properties["size"] == len(body) and m.properties["ratio"] == 0.25, "fields %r" % m.properties)
    conn.close()


SCENARIOS = [
    same_name_sender_and_receiver,
    selector_key_selector_symbolic_descriptor,
    invalid_selector_refuses_the_link,
    large_message_and_typed_values,
]


def main():
    passed = failed = 0
    for fn in SCENARIOS:
        if ONLY and fn.__name__ not in ONLY:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("PASS %s (%d ms)" % (fn.__name__, (time.time() - t0) * 1000), flush=True)
        except Exception as e:  # report and go on
            failed += 1
            print("FAIL %s: %r" % (fn.__name__, e), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
