"""pika (AMQP 0-9-1) halves of the amqp-bridge suite.

  declare PORT QUEUE...                    declare durable queues
  publish PORT QUEUE COUNT SIZE [RATE]     publish COUNT persistent messages with confirms; headers color (red/blue
                                           alternating), seq; message_id pika-<seq>. Survives broker restarts:
                                           reconnects and re-sends any message not yet confirmed (at least once).
  drain PORT QUEUE EXPECT TIMEOUT_S [SIZE] consume and ack; count distinct seq headers; OK when all EXPECT arrived.
                                           With SIZE (what publish was given): also every body must be exactly the
                                           one published for its seq, and no seq may arrive twice (fault-free runs)
  count PORT QUEUE                         print the ready message count
Prints "OK ..." or "FAIL ..." and exits 0 / 1.
"""
import sys
import time

import pika
from pika.exceptions import AMQPError


def connect(port):
    params = pika.ConnectionParameters(
        "127.0.0.1", int(port), "/", pika.PlainCredentials("guest", "guest"),
        heartbeat=30, blocked_connection_timeout=30, connection_attempts=1, socket_timeout=5)
    return pika.BlockingConnection(params)


def declare(port, *queues):
    c = connect(port)
    ch = c.channel()
    for q in queues:
        ch.queue_declare(q, durable=True)
    c.close()
    print("OK declared", " ".join(queues))
    return True


def publish(port, queue, count, size, rate=0.0):
    count, size, rate = int(count), int(size), float(rate)
    filler = b"x" * max(0, size - 32)
    seq, reconnects, t0 = 0, 0, time.time()
    deadline = t0 + 240
    conn = ch = None
    while seq < count:
        if time.time() > deadline:
            print(f"FAIL publish stopped at {seq}/{count}: broker unreachable")
            return False
        try:
            if ch is None:
                conn = connect(port)
                ch = conn.channel()
                ch.confirm_delivery()
            color = "red" if seq % 2 == 0 else "blue"
            ch.basic_publish(
                "", queue, (b"pika-%08d|" % seq) + filler,
                pika.BasicProperties(delivery_mode=2, message_id=f"pika-{seq}", content_type="application/octet-stream",
                                     headers={"color": color, "seq": seq}),
                mandatory=True)
            seq += 1
            if rate > 0:
                ahead = seq / rate - (time.time() - t0)
                if ahead > 0:
                    time.sleep(ahead)
        except (AMQPError, OSError) as e:  # broker restarting: reconnect and re-send this message
            reconnects += 1
            ch = None
            try:
                if conn is not None and conn.is_open:
                    conn.close()
            except Exception:
                pass
            time.sleep(0.5)
    try:
        conn.close()
    except Exception:
        pass
    dt = time.time() - t0
    print(f"OK published {count} to {queue} in {dt:.1f} s ({count / dt:.0f} msg/s), reconnects={reconnects}")
    return True


def body_for(seq, size):
    """The body publish writes for message seq."""
    return (b"pika-%08d|" % seq) + b"x" * max(0, size - 32)


def drain(port, queue, expect, timeout_s, size=None):
    expect, timeout_s = int(expect), float(timeout_s)
    size = None if size is None else int(size)
    seen, total, bad_bodies = set(), 0, []
    deadline = time.time() + timeout_s
    while len(seen) < expect and time.time() < deadline:
        try:
            c = connect(port)
            ch = c.channel()
            ch.basic_qos(prefetch_count=500)
            for method, props, body in ch.consume(queue, inactivity_timeout=1.0):
                if method is None:
                    if len(seen) >= expect or time.time() > deadline:
                        break
                    continue
                total += 1
                seq = (props.headers or {}).get("seq")
                if seq is not None:
                    seq = int(seq)
                    seen.add(seq)
                    if size is not None and body != body_for(seq, size):
                        bad_bodies.append(seq)
                ch.basic_ack(method.delivery_tag)
                if len(seen) >= expect:
                    break
            try:
                ch.cancel()
                c.close()
            except Exception:
                pass
        except (AMQPError, OSError):
            time.sleep(0.5)
    ok = len(seen) >= expect
    if size is not None:
        ok = ok and not bad_bodies and total == len(seen)
    missing = sorted(set(range(expect)) - seen)[:10]
    checked = f" body-mismatches={len(bad_bodies)} first={bad_bodies[:5]}" if size is not None else ""
    print(f"{'OK' if ok else 'FAIL'} drained {queue}: distinct={len(seen)}/{expect} total={total} "
          f"duplicates={total - len(seen)} first-missing={missing}{checked}")
    return ok


def count(port, queue):
    c = connect(port)
    n = c.channel().queue_declare(queue, passive=True).method.message_count
    c.close()
    print(n)
    return True


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"declare": declare, "publish": publish, "drain": drain, "count": count}[cmd]
    sys.exit(0 if fn(*args) else 1)
