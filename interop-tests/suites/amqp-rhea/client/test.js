// rhea 3.0.5 scenarios against mqgate's AMQP 1.0 listener. Usage: node test.js host port [scenario ...]
// Prints PASS/FAIL per scenario and "N passed, M failed" last; exits 1 on any failure.
'use strict';
const rhea = require('rhea');

const [host, port] = [process.argv[2], Number(process.argv[3])];
const only = new Set(process.argv.slice(4));
const RUN = 'rhea' + Math.floor(Math.random() * 1e8).toString(16);

function connect() {
  return new Promise((resolve, reject) => {
    const c = rhea.create_container({ id: RUN + '-' + Math.random().toString(16).slice(2) });
    const conn = c.connect({ host, port, username: 'guest', password: 'guest', reconnect: false });
    conn.once('connection_open', () => resolve(conn));
    conn.once('connection_error', (ctx) => reject(new Error('connection error ' + JSON.stringify(ctx.connection.error))));
    conn.once('disconnected', (ctx) => reject(new Error('disconnected ' + (ctx.error || ''))));
  });
}

function check(ok, what) { if (!ok) throw new Error(what); }

function openSender(conn, address, opts = {}) {
  return new Promise((resolve, reject) => {
    const s = conn.open_sender(Object.assign({ target: { address } }, opts));
    s.once('sendable', () => resolve(s));
    s.once('sender_error', (ctx) => reject(new Error('sender refused: ' + JSON.stringify(ctx.sender.error))));
  });
}

/** Sends each message and waits for its outcome (accepted expected). */
async function sendAll(conn, address, messages, opts = {}) {
  const s = await openSender(conn, address, opts);
  for (const m of messages) {
    await new Promise((resolve, reject) => {
      const d = s.send(m);
      if (d.settled) return resolve();
      s.once('accepted', resolve);
      s.once('rejected', (ctx) => reject(new Error('rejected: ' + JSON.stringify(ctx.delivery.remote_state))));
      s.once('released', () => reject(new Error('released')));
    });
  }
  s.close();
}

/** Opens a receiver; resolves with {receiver, next(ms) → Promise<context|null>}. */
function openReceiver(conn, source, opts = {}) {
  return new Promise((resolve, reject) => {
    const queue = [], waiters = [];
    const r = conn.open_receiver(Object.assign({ source, autoaccept: false, credit_window: 10 }, opts));
    r.on('message', (ctx) => { const w = waiters.shift(); if (w) w(ctx); else queue.push(ctx); });
    r.once('receiver_open', () => resolve({
      receiver: r,
      next: (ms) => new Promise((res) => {
        if (queue.length) return res(queue.shift());
        const t = setTimeout(() => { waiters.splice(waiters.indexOf(done), 1); res(null); }, ms);
        const done = (ctx) => { clearTimeout(t); res(ctx); };
        waiters.push(done);
      }),
    }));
    r.once('receiver_error', (ctx) => reject(Object.assign(new Error('receiver refused'), { amqp: ctx.receiver.error })));
  });
}

async function drainAll(rx, ms = 700) {
  const out = [];
  for (let ctx; (ctx = await rx.next(ms)) !== null;) { out.push(ctx); ctx.delivery.accept(); }
  return out;
}

const scenarios = {
  async queue_send_before_receiver_and_typed_properties() {
    const conn = await connect();
    const q = RUN + '-q';
    await sendAll(conn, q, [{ body: 'hello', subject: 'greeting', message_id: 'm-1',
      application_properties: { n: 7, flag: true, color: 'red', ratio: 0.5 } }]);
    const rx = await openReceiver(conn, { address: q });
    const ctx = await rx.next(5000);
    check(ctx, 'no message');
    const m = ctx.message;
    check(m.body === 'hello', 'body ' + m.body);
    check(m.subject === 'greeting' && m.message_id === 'm-1', 'subject/message-id');
    check(m.application_properties.n === 7 && m.application_properties.flag === true, 'typed properties ' + JSON.stringify(m.application_properties));
    check(m.application_properties.color === 'red' && m.application_properties.ratio === 0.5, 'string/double properties');
    ctx.delivery.accept();
    check((await rx.next(500)) === null, 'queue not empty');
    conn.close();
  },

  async selector_jms_selector_key_numeric_descriptor() {
    const conn = await connect();
    const q = RUN + '-sel';
    const colors = ['red', 'blue', 'red', 'green'];
    await sendAll(conn, q, colors.map((c, i) => ({ body: 'm' + i, application_properties: { color: c, n: i } })));
    const reds = await openReceiver(conn, { address: q, filter: rhea.filter.selector("color = 'red' AND n >= 1") });
    const got = (await drainAll(reds)).map((c) => c.message.body);
    check(JSON.stringify(got) === '["m2"]', 'selector matched ' + JSON.stringify(got));
    reds.receiver.close();
    const rest = await openReceiver(conn, { address: q });
    const left = (await drainAll(rest)).map((c) => c.message.body);
    check(JSON.stringify(left) === '["m0","m1","m3"]', 'unmatched messages should stay in order, got ' + JSON.stringify(left));
    conn.close();
  },

  async invalid_selector_refuses_the_link() {
    const conn = await connect();
    // The refusal is an attach with a null source followed by a detach carrying the error.
    const error = await new Promise((resolve) => {
      const r = conn.open_receiver({ source: { address: RUN + '-bad', filter: rhea.filter.selector('color = ') } });
      r.once('receiver_error', (ctx) => resolve(ctx.receiver.error));
      setTimeout(() => resolve(null), 5000);
    });
    check(error && error.condition === 'amqp:invalid-field', 'expected amqp:invalid-field, got ' + JSON.stringify(error));
    check(/selector/.test(error.description || ''), 'error description should name the selector: ' + error.description);
    conn.close();
  },

  async release_and_modified_redeliver_with_counts() {
    const conn = await connect();
    const q = RUN + '-redeliver';
    await sendAll(conn, q, [{ body: 'again' }]);
    const rx = await openReceiver(conn, { address: q });
    let ctx = await rx.next(5000);
    check(ctx && (ctx.message.delivery_count || 0) === 0, 'first delivery count');
    ctx.delivery.release();
    ctx = await rx.next(5000);
    check(ctx && (ctx.message.delivery_count || 0) === 0, 'released: count must not grow, got ' + (ctx && ctx.message.delivery_count));
    ctx.delivery.modified({ delivery_failed: true });
    ctx = await rx.next(5000);
    check(ctx && ctx.message.delivery_count === 1, 'modified(delivery-failed): count + 1, got ' + (ctx && ctx.message.delivery_count));
    ctx.delivery.reject();
    check((await rx.next(700)) === null, 'rejected message came back');
    conn.close();
  },

  async unsettled_messages_come_back_after_disconnect() {
    const q = RUN + '-drop';
    const a = await connect();
    await sendAll(a, q, [{ body: 'keep' }]);
    const rx = await openReceiver(a, { address: q });
    check(await rx.next(5000), 'first delivery');
    a.close();
    await new Promise((r) => setTimeout(r, 300));
    const b = await connect();
    const rx2 = await openReceiver(b, { address: q });
    const ctx = await rx2.next(5000);
    check(ctx && ctx.message.body === 'keep', 'message lost when its consumer went away');
    check(ctx.message.delivery_count === 1, 'redelivery count ' + ctx.message.delivery_count);
    ctx.delivery.accept();
    b.close();
  },

  async large_message_spans_frames_both_ways() {
    const conn = await connect();
    const q = RUN + '-big';
    const big = Buffer.alloc(700 * 1024, 7);
    big[12345] = 1;
    await sendAll(conn, q, [{ body: rhea.message.data_section(big) }]);
    const rx = await openReceiver(conn, { address: q });
    const ctx = await rx.next(5000);
    check(ctx, 'no big message');
    const body = ctx.message.body.content || ctx.message.body;
    check(Buffer.isBuffer(body) && body.equals(big), 'big body differs (' + (body && body.length) + ' bytes)');
    ctx.delivery.accept();
    conn.close();
  },

  async topic_fans_out_and_presettled_receive() {
    const conn = await connect();
    const t = RUN + '-topic';
    const one = await openReceiver(conn, { address: t, capabilities: ['topic'] });
    const two = await openReceiver(conn, { address: t, capabilities: ['topic'] }, { snd_settle_mode: 1 });
    await sendAll(conn, t, [{ body: 'x' }, { body: 'y' }], { target: { address: t, capabilities: ['topic'] } });
    for (const rx of [one, two]) {
      const got = (await drainAll(rx)).map((c) => c.message.body);
      check(JSON.stringify(got) === '["x","y"]', 'subscriber got ' + JSON.stringify(got));
    }
    conn.close();
  },

  async anonymous_relay_uses_the_to_address() {
    const conn = await connect();
    const q = RUN + '-relay';
    const s = await openSender(conn, null, { target: {} });
    await new Promise((resolve, reject) => {
      s.send({ to: q, body: 'via relay' });
      s.once('accepted', resolve);
      s.once('rejected', (ctx) => reject(new Error('rejected ' + JSON.stringify(ctx.delivery.remote_state))));
    });
    const rx = await openReceiver(conn, { address: q });
    const ctx = await rx.next(5000);
    check(ctx && ctx.message.body === 'via relay', 'relayed message missing');
    ctx.delivery.accept();
    conn.close();
  },
};

(async () => {
  let passed = 0, failed = 0;
  for (const [name, fn] of Object.entries(scenarios)) {
    if (only.size && !only.has(name)) continue;
    const t0 = Date.now();
    try {
      await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), 30000))]);
      passed++;
      console.log(`PASS ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack || e}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
