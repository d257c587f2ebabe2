"""HTTP <-> RocketMQ gRPC (the official Python client, `rocketmq-python-client`): a message posted over HTTP
is received by a gRPC SimpleConsumer, and a message sent by a gRPC Producer is consumed over HTTP, with tag,
keys and properties intact. Prints "PASS grpc name" / "FAIL grpc name: why" and "N passed, M failed" last.

Usage: python grpc_cross.py <http base URL> <grpc host:port>
"""

import base64
import sys
import time

import requests
from rocketmq import ClientConfiguration, Credentials, FilterExpression, Message, Producer, SimpleConsumer

BASE, ENDPOINT = sys.argv[1], sys.argv[2]
RUN = str(int(time.time() * 1000) % 1_000_000_000)
CFG = ClientConfiguration(ENDPOINT, Credentials(), request_timeout=5)


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def http_to_grpc():
    topic = f"HttpGrpc{RUN}"
    r = requests.post(f"{BASE}/oms/v1/topics/{topic}/messages", data=b"to-grpc", headers={
        "x-oms-h-tag": "TagG", "x-oms-h-keys": "kg", "x-oms-p-color": "amber"})
    check(r.status_code == 201, f"produce {r.status_code} {r.text}")
    mid = r.json()["messageId"]
    c = SimpleConsumer(CFG, f"HttpGrpcG{RUN}", {topic: FilterExpression("TagG")}, await_duration=3)
    c.startup()
    try:
        got, end = [], time.time() + 30
        while not got and time.time() < end:
            got = c.receive(16, 30) or []
        check(got, "gRPC consumer received nothing")
        m = got[0]
        check(m.message_id == mid, f"message id {m.message_id} want {mid}")
        check(m.body == b"to-grpc" and m.tag == "TagG", f"body/tag {m.body!r} {m.tag}")
        check("kg" in (m.keys or []), f"keys {m.keys}")
        check(m.properties.get("color") == "amber", f"properties {m.properties}")
        c.ack(m)
    finally:
        c.shutdown()


def grpc_to_http():
    topic = f"GrpcHttp{RUN}"
    # The topic exists before the gRPC producer asks for its route.
    requests.post(f"{BASE}/oms/v1/topics/{topic}/messages", data=b"seed", headers={"x-oms-h-tag": "Seed"})
    p = Producer(CFG, (topic,))
    p.startup()
    try:
        m = Message()
        m.topic, m.tag, m.keys, m.body = topic, "TagR", "kr", b"from-grpc"
        m.add_property("color", "teal")
        mid = p.send(m).message_id
    finally:
        p.shutdown()
    r = requests.get(f"{BASE}/oms/v1/topics/{topic}/messages",
                     params={"group": f"GrpcHttpG{RUN}", "tag": "TagR", "wait": 5000}, timeout=30)
    check(r.status_code == 200, f"consume {r.status_code} {r.text}")
    m = r.json()["messages"][0]
    check(m["messageId"] == mid, f"message id {m['messageId']} want {mid}")
    check(m["tag"] == "TagR" and m["keys"] == ["kr"], f"tag/keys {m}")
    check(m["properties"].get("color") == "teal", f"properties {m['properties']}")
    check(base64.b64decode(m["body"]) == b"from-grpc", "body")


def main():
    passed = failed = 0
    for sc in (http_to_grpc, grpc_to_http):
        t0 = time.time()
        try:
            sc()
            passed += 1
            print(f"PASS grpc {sc.__name__} ({(time.time() - t0) * 1000:.0f} ms)", flush=True)
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            print(f"FAIL grpc {sc.__name__}: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
