"""HTTP binding scenarios with real third-party Python clients: `requests`, `httpx` and the CloudEvents SDK
(`cloudevents`), plus raw sockets for hostile clients. Prints "PASS py name" / "FAIL py name: why" per
scenario and "N passed, M failed" last; exits non-zero on any failure.

Usage: python scenarios.py <http base URL> [scenario ...]
"""

import base64
import json
import socket
import sys
import threading
import time
import urllib.parse

import httpx
import requests
from cloudevents.v1.conversion import from_json, to_binary, to_dict, to_structured
from cloudevents.v1.http import CloudEvent

BASE = sys.argv[1]
RUN = str(int(time.time() * 1000) % 1_000_000_000)
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port
S = requests.Session()


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def topic(name):
    return f"{name}{RUN}"


def url(t, tail="messages"):
    return f"{BASE}/oms/v1/topics/{t}/{tail}"


def consume(t, group, **params):
    params = {"group": group, **params}
    return S.get(url(t), params=params, timeout=40)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def requests_produce_consume_ack():
    t = topic("PyReq")
    r = S.post(url(t), data=b"hello", headers={
        "content-type": "text/plain", "x-oms-h-tag": "TagP", "x-oms-h-keys": "a,b",
        "x-oms-h-priority": "4", "x-oms-p-color": "red"})
    check(r.status_code == 201, f"produce {r.status_code} {r.text}")
    mid = r.json()["messageId"]
    check(r.headers.get("x-oms-h-messageId") == mid, "messageId header")
    r = consume(t, "G", wait=2000)
    check(r.status_code == 200, f"consume {r.status_code} {r.text}")
    m = r.json()["messages"][0]
    check(m["messageId"] == mid and m["tag"] == "TagP" and m["keys"] == ["a", "b"], f"message {m}")
    check(m["properties"]["color"] == "red" and m["properties"]["PRIORITY"] == "4", f"properties {m}")
    check(base64.b64decode(m["body"]) == b"hello", "body")
    r = S.post(url(t, "ack"), json={"group": "G", "receiptHandles": [m["receiptHandle"]]})
    check(r.status_code == 200 and r.json() == {"acked": 1}, f"ack {r.status_code} {r.text}")
    check(consume(t, "G").status_code == 204, "message came back after ack")


def httpx_long_poll_wakes_on_produce():
    t = topic("PyLp")
    out = {}

    def waiter():
        with httpx.Client(timeout=30) as c:
            out["r"] = c.get(url(t), params={"group": "G", "wait": 15000})

    th = threading.Thread(target=waiter)
    t0 = time.time()
    th.start()
    time.sleep(0.5)
    with httpx.Client() as c:
        r = c.post(url(t), content=b"wake", headers={"x-oms-p-k": "v"})
        check(r.status_code == 201, f"produce {r.status_code}")
    th.join(30)
    r = out.get("r")
    check(r is not None and r.status_code == 200, f"long poll answer {r}")
    check(time.time() - t0 < 10, f"long poll took {time.time() - t0:.1f}s")
    check(r.json()["messages"][0]["properties"]["k"] == "v", "property")
    t0 = time.time()
    with httpx.Client(timeout=30) as c:
        r = c.get(url(t), params={"group": "Other", "wait": 500, "tag": "nothing"})
    check(r.status_code == 204 and time.time() - t0 >= 0.4, f"empty poll {r.status_code}")


def cloudevents_binary_and_structured_round_trip():
    t = topic("PyCe")
    ev1 = CloudEvent({"type": "com.example.created", "source": "/py/sdk", "id": f"bin-{RUN}",
                      "subject": "order 7", "tenant": "acme"}, {"order": 7})
    headers, body = to_binary(ev1)
    r = S.post(url(t), data=body, headers=headers)
    check(r.status_code == 201 and r.json()["messageId"] == f"bin-{RUN}", f"binary {r.status_code} {r.text}")
    ev2 = CloudEvent({"type": "com.example.updated", "source": "/py/sdk", "id": f"str-{RUN}"}, {"order": 8})
    headers, body = to_structured(ev2)
    r = S.post(url(t), data=body, headers=headers)
    check(r.status_code == 201, f"structured {r.status_code} {r.text}")
    batch = [to_dict(CloudEvent({"type": "com.example.batch", "source": "/py/sdk", "id": f"b{i}-{RUN}"},
                                {"i": i})) for i in range(3)]
    r = S.post(url(t), data=json.dumps(batch), headers={"content-type": "application/cloudevents-batch+json"})
    check(r.status_code == 201 and len(r.json()["results"]) == 3, f"batch {r.status_code} {r.text}")
    got = {}
    deadline = time.time() + 10
    while len(got) < 5 and time.time() < deadline:
        r = consume(t, "G", max=10, wait=1000, format="cloudevents")
        if r.status_code == 204:
            continue
        check(r.headers["content-type"] == "application/cloudevents-batch+json", r.headers["content-type"])
        for d in r.json():
            e = from_json(CloudEvent, json.dumps(d))
            got[e["id"]] = e
    check(len(got) == 5, f"got {sorted(got)}")
    e = got[f"bin-{RUN}"]
    check(e["type"] == "com.example.created" and e["source"] == "/py/sdk", f"binary attrs {e}")
    check(e["subject"] == "order 7" and e["tenant"] == "acme" and e.data == {"order": 7}, f"binary {e} {e.data}")
    check(got[f"str-{RUN}"].data == {"order": 8}, "structured data")
    check(got[f"b2-{RUN}"].data == {"i": 2}, "batch data")
    # The same events in the OMS shape: attributes are ce_* properties, usable by SQL92.
    r = consume(t, "G2", max=10, filter="ce_type = 'com.example.created' AND tenant IS NULL AND ce_tenant = 'acme'")
    check(r.status_code == 200, f"filtered {r.status_code} {r.text}")
    ms = r.json()["messages"]
    check(len(ms) == 1 and ms[0]["messageId"] == f"bin-{RUN}", f"filtered {ms}")


def malformed_cloudevents_are_400():
    t = topic("PyBad")
    r = S.post(url(t), data=b'{"specversion":"1.0","id":"x","source":"s"}',
               headers={"content-type": "application/cloudevents+json"})
    check(r.status_code == 400 and r.json()["code"] == "invalid-cloudevent", f"{r.status_code} {r.text}")
    check(r.headers["content-type"] == "application/problem+json", "problem type")
    r = S.post(url(t), data=b"x", headers={"ce-specversion": "0.3", "ce-id": "1", "ce-source": "s", "ce-type": "t"})
    check(r.status_code == 400, f"old specversion {r.status_code}")
    r = S.post(url(t), data=b"[1,2", headers={"content-type": "application/cloudevents-batch+json"})
    check(r.status_code == 400 and r.json()["code"] == "invalid-json", f"{r.status_code} {r.text}")


def invalid_sql_filter_is_400_with_position():
    r = consume(topic("PySql"), "G", filter="PRIORITY > AND x = 1")
    check(r.status_code == 400, f"status {r.status_code}")
    p = r.json()
    check(p["code"] == "invalid-filter" and p["position"]["column"] >= 1, f"problem {p}")


def envelope_batch_and_offset_read():
    t = topic("PyEnv")
    batch = {"messages": [{"headers": {"tag": "E", "messageId": f"e{i}-{RUN}"},
                           "properties": {"Index": i}, "body": b64(f"env-{i}".encode())} for i in range(3)]}
    r = S.post(url(t), json=batch)
    check(r.status_code == 201, f"batch {r.status_code} {r.text}")
    first = r.json()["results"][0]
    q, off = first["queueId"], first["queueOffset"]
    r = S.get(f"{BASE}/oms/v1/topics/{t}/queues/{q}/messages", params={"offset": off, "max": 5})
    check(r.status_code == 200 and r.json()["status"] == "found", f"read {r.status_code} {r.text}")
    m = r.json()["messages"][0]
    check(m["messageId"] == f"e0-{RUN}" and m["properties"]["Index"] == "0", f"read {m}")
    check(r.json()["nextOffset"] > off, "nextOffset")
    queues = S.get(f"{BASE}/oms/v1/topics/{t}/queues").json()["queues"]
    check(sum(x["maxOffset"] for x in queues) == 3, f"queues {queues}")


def nack_redelivers_then_dead_letters():
    t = topic("PyNack")
    group = f"PyNackG{RUN}"
    S.post(url(t), data=b"poison")
    attempts = []
    for _ in range(40):
        r = consume(t, group, wait=2000)
        if r.status_code == 204:
            break
        m = r.json()["messages"][0]
        attempts.append(m["deliveryAttempt"])
        r = S.post(url(t, "nack"), json={"group": group, "receiptHandles": [m["receiptHandle"]], "delay": 0})
        check(r.status_code == 200, f"nack {r.status_code} {r.text}")
    check(attempts[:3] == [1, 2, 3], f"attempts {attempts}")
    check(len(attempts) == 17, f"{len(attempts)} deliveries before the dead-letter queue, want 17")
    dlq = urllib.parse.quote(f"%DLQ%{group}", safe="")
    r = S.get(f"{BASE}/oms/v1/topics/{dlq}/messages", params={"group": "DlqReader", "wait": 3000})
    check(r.status_code == 200, f"DLQ read {r.status_code} {r.text}")
    check(base64.b64decode(r.json()["messages"][0]["body"]) == b"poison", "DLQ body")


def limits_and_errors():
    r = S.post(url(topic("PyBig")), data=b"x" * (9 << 20), headers={"content-type": "application/octet-stream"})
    check(r.status_code == 413 and r.json()["code"] == "payload-too-large", f"big body {r.status_code}")
    r = S.post(url(topic("PyAck"), "ack"), json={"group": "G", "receiptHandles": ["not-a-handle"]})
    check(r.status_code == 400 and r.json()["code"] == "invalid-receipt-handle", f"bad handle {r.text}")
    r = S.get(f"{BASE}/oms/v1/nothing")
    check(r.status_code == 404 and r.json()["code"] == "not-found", "404")
    check(S.get(f"{BASE}/healthz").json()["status"] == "up", "healthz")
    check(S.get(f"{BASE}/readyz").json()["status"] == "ready", "readyz")
    check(S.get(f"{BASE}/oms/v1/openapi.json").json()["openapi"].startswith("3."), "openapi")
    # Header flood: hyper refuses it (431) or closes.
    with socket.create_connection((HOST, PORT), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n" + b"".join(b"x-f%d: y\r\n" % i for i in range(500)) + b"\r\n")
        data = s.recv(1024)
        check(data == b"" or data.startswith(b"HTTP/1.1 431"), f"header flood answer {data[:40]!r}")
    # A slow client that never finishes its request head is disconnected (header read timeout, 10 s).
    with socket.create_connection((HOST, PORT), timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        t0 = time.time()
        data = s.recv(1024)
        check(time.time() - t0 < 25, f"slow client kept for {time.time() - t0:.0f}s")
        check(data == b"" or data.startswith(b"HTTP/1.1 408"), f"slow client answer {data[:40]!r}")


SCENARIOS = [requests_produce_consume_ack, httpx_long_poll_wakes_on_produce,
             cloudevents_binary_and_structured_round_trip, malformed_cloudevents_are_400,
             invalid_sql_filter_is_400_with_position, envelope_batch_and_offset_read,
             nack_redelivers_then_dead_letters, limits_and_errors]


def main():
    wanted = sys.argv[2:]
    passed = failed = 0
    for sc in SCENARIOS:
        if wanted and sc.__name__ not in wanted:
            continue
        t0 = time.time()
        try:
            sc()
            passed += 1
            print(f"PASS py {sc.__name__} ({(time.time() - t0) * 1000:.0f} ms)", flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL py {sc.__name__}: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
