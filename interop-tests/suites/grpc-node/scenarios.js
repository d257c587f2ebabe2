// Scenarios run by the official RocketMQ 5.x Node.js gRPC client (npm rocketmq-client-nodejs, pinned by the run
// script) against mqgate's gRPC front-end: producer and SimpleConsumer (receive, ack, changeInvisibleDuration and
// redelivery). Prints "PASS name" / "FAIL name: reason" and "N passed, M failed" last.
// Usage: node scenarios.js host:port [scenario ...]
'use strict';
const { Producer, SimpleConsumer } = require('rocketmq-client-nodejs');

const endpoints = process.argv[2];
const only = new Set(process.argv.slice(3));

function check(ok, what) {
  if (!ok) throw new Error(what);
}

async function receiveN(c, n, invisibleMs, maxMs, ack) {
  const got = [];
  const end = Date.now() + maxMs;
  while (got.length < n && Date.now() < end) {
    for (const m of await c.receive(16, invisibleMs)) {
      got.push(m);
      if (ack) await c.ack(m);
    }
  }
  return got;
}

async function clients(topic, group) {
  const p = new Producer({ endpoints, namespace: '', sslEnabled: false, topics: [topic], requestTimeout: 5000 });
  await p.startup();
  const c = new SimpleConsumer({
    endpoints, namespace: '', sslEnabled: false, consumerGroup: group,
    subscriptions: new Map().set(topic, '*'), awaitDuration: 3000, requestTimeout: 5000,
  });
  await c.startup();
  return [p, c];
}

async function normal() {
  const topic = 'NodeNormal';
  const [p, c] = await clients(topic, 'NodeGNormal');
  try {
    const ids = new Set();
    for (let i = 0; i < 5; i++) {
      const r = await p.send({
        topic, tag: 'TagA', keys: [`k${i}`], body: Buffer.from(`body-${i}`),
        properties: new Map().set('idx', String(i)),
      });
      ids.add(r.messageId);
    }
    const got = await receiveN(c, 5, 30000, 20000, true);
    check(got.length === 5, `received ${got.length} of 5`);
    for (const m of got) {
      const idx = m.properties.get('idx');
      check(ids.has(m.messageId), `unknown message id ${m.messageId}`);
      check(m.body.toString() === `body-${idx}`, `body ${m.body} idx ${idx}`);
      check(m.tag === 'TagA', `tag ${m.tag}`);
      check(m.keys.includes(`k${idx}`), `keys ${m.keys}`);
    }
    check((await c.receive(16, 30000)).length === 0, 'acked messages came back');
  } finally {
    await c.shutdown();
    await p.shutdown();
  }
}

async function changeInvisible() {
  const topic = 'NodeChange';
  const [p, c] = await clients(topic, 'NodeGChange');
  try {
    const r = await p.send({ topic, tag: 'T', body: Buffer.from('retry-me') });
    const first = await receiveN(c, 1, 30000, 15000, false);
    check(first.length === 1, 'first delivery missing');
    await c.changeInvisibleDuration(first[0], 1000);
    const again = await receiveN(c, 1, 30000, 15000, false);
    check(again.length === 1, 'no redelivery after changeInvisibleDuration');
    check(again[0].messageId === r.messageId, 'a different message came back');
    check(again[0].deliveryAttempt === 2, `attempt ${again[0].deliveryAttempt}`);
    await c.ack(again[0]);
  } finally {
    await c.shutdown();
    await p.shutdown();
  }
}

const scenarios = {
  'producer-normal-simple-consumer-ack': normal,
  'simple-change-invisible-redelivery': changeInvisible,
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
