// The official RocketMQ 5.x Node.js gRPC client (npm rocketmq-client-nodejs, pinned by the run script) over TLS
// against mqgate: sslEnabled: true, trusting the suite's CA through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (the
// certificate and its 127.0.0.1 address are verified). NODE_EXTRA_CA_CERTS is not enough: the client's grpc-js
// createSsl() does not see it (the handshake fails with "unable to verify the first certificate").
// A: the permissive gRPC listener; B: an enforcing, TLS 1.3-only one (its TLS from the config file).
// Prints "PASS name" / "FAIL name: reason" and "N passed, M failed" last.
// Usage: node scenarios.js A-host:port B-host:port [scenario ...]
'use strict';
const fs = require('fs');
const { Producer, SimpleConsumer } = require('rocketmq-client-nodejs');

const [a, b] = [process.argv[2], process.argv[3]];
const only = new Set(process.argv.slice(4));
const run = String(Date.now() % 1000000000);

function check(ok, what) {
  if (!ok) throw new Error(what);
}

// Five sends and a SimpleConsumer that receives and acks exactly them, over TLS.
async function roundTrip(endpoints, tag) {
  const ca = process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH || '';
  check(ca !== '' && fs.existsSync(ca), `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=${ca} is not a file`);
  const topic = `NodeTls${tag}_${run}`;
  const p = new Producer({ endpoints, namespace: '', sslEnabled: true, topics: [topic], requestTimeout: 5000 });
  await p.startup();
  const c = new SimpleConsumer({
    endpoints, namespace: '', sslEnabled: true, consumerGroup: `NodeTlsG${tag}_${run}`,
    subscriptions: new Map().set(topic, '*'), awaitDuration: 3000, requestTimeout: 5000,
  });
  await c.startup();
  try {
    const sent = new Set();
    for (let i = 0; i < 5; i++) {
      const body = `node-${tag}-${i}`;
      await p.send({ topic, tag: 'T', body: Buffer.from(body) });
      sent.add(body);
    }
    const got = new Set();
    const end = Date.now() + 30000;
    while (got.size < sent.size && Date.now() < end) {
      for (const m of await c.receive(16, 30000)) {
        got.add(m.body.toString());
        await c.ack(m);
      }
    }
    check(got.size === sent.size && [...sent].every((x) => got.has(x)),
      `received ${[...got].sort()}, sent ${[...sent].sort()}`);
    check((await c.receive(16, 30000)).length === 0, 'acked messages came back');
  } finally {
    await c.shutdown();
    await p.shutdown();
  }
}

const scenarios = {
  'node-grpc-tls-send-receive': () => roundTrip(a, 'A'),
  'node-grpc-tls13-enforcing-port': () => roundTrip(b, 'B'),
};

(async () => {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of Object.entries(scenarios)) {
    if (only.size > 0 && !only.has(name)) continue;
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`PASS ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
