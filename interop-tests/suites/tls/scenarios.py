"""The official RocketMQ 5.x Python gRPC client (PyPI rocketmq-python-client, pinned by the run script) over TLS
against mqgate: tls_enable=True, trusting the suite's CA through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (grpc verifies
the certificate and its 127.0.0.1 address). A: the permissive gRPC listener; B: an enforcing, TLS 1.3-only one
(its TLS from the config file). Prints "PASS name" / "FAIL name: reason" and "N passed, M failed" last.
Usage: scenarios.py A-host:port B-host:port [scenario ...]"""

import os
import sys
import time
import traceback

from rocketmq import ClientConfiguration, Credentials, FilterExpression, Message, Producer, SimpleConsumer

A, B = sys.argv[1], sys.argv[2]
ONLY = set(sys.argv[3:])
RUN = str(int(time.time() * 1000) % 1_000_000_000)


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def round_trip(endpoint, tag):
    """Five sends and a SimpleConsumer that receives and acks exactly them, over TLS."""
    roots = os.environ.get("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "")
    check(os.path.isfile(roots), f"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH={roots!r} is not a file")
    cfg = ClientConfiguration(endpoint, Credentials(), request_timeout=5)
    topic, group = f"PyTls{tag}_{RUN}", f"PyTlsG{tag}_{RUN}"
    p = Producer(cfg, (topic,), tls_enable=True)
    p.startup()
    c = SimpleConsumer(cfg, group, {topic: FilterExpression("*")}, await_duration=3, tls_enable=True)
    c.startup()
    try:
        sent = set()
        for i in range(5):
            m = Message()
            m.topic, m.tag, m.body = topic, "T", f"py-{tag}-{i}".encode()
            p.send(m)
            sent.add(m.body)
        got, end = set(), time.time() + 30
        while len(got) < len(sent) and time.time() < end:
            for m in c.receive(16, 30) or []:
                got.add(m.body)
                c.ack(m)
        check(got == sent, f"received {sorted(got)}, sent {sorted(sent)}")
        check(not c.receive(16, 30), "acked messages came back")
    finally:
        c.shutdown()
        p.shutdown()


SCENARIOS = {
    "python-grpc-tls-send-receive": lambda: round_trip(A, "A"),
    "python-grpc-tls13-enforcing-port": lambda: round_trip(B, "B"),
}


def main():
    passed = failed = 0
    for name, fn in SCENARIOS.items():
        if ONLY and name not in ONLY:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print(f"PASS {name} ({int((time.time() - t0) * 1000)} ms)", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next scenario runs
            failed += 1
            print(f"FAIL {name}: {e!r}", flush=True)
            traceback.print_exc(file=sys.stdout)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
