'use strict';
// ali-ons (a Node.js RocketMQ 4.x remoting client, npm) against rmq-server.
//
//   NODE_PATH=DIR/node_modules node ons_compat.js NAMESRV PHASE [scenario...]
//
// run_node_compat.sh runs phase "before-restart", restarts rmq-server on the
// same store, runs "after-restart", then "live-restart", during which it
// restarts rmq-server on the same ports while the clients stay up. Each scenario prints one line, PASS or
// FAIL with the reason; the exit status is 1 if any failed. ali-ons's own
// warnings go to $ONS_LOG (a file), not to stdout.

const assert = require('assert');
const fs = require('fs');
const util = require('util');
const { Producer, Consumer, Message } = require('ali-ons');

const [namesrv, phase, ...only] = process.argv.slice(2);
if (!namesrv || !phase) {
  console.error('usage: node ons_compat.js NAMESRV before-restart|after-restart|live-restart [scenario...]');
  process.exit(2);
}

const SCENARIO_TIMEOUT_MS = 90000;
const WAIT_MS = 30000;

const logFile = process.env.ONS_LOG || '/dev/null';
function log(level, args) {
  fs.appendFileSync(logFile, `${new Date().toISOString()} ${level} ${util.format(...args)}\n`);
}
const logger = {
  info() {},
  debug() {},
  warn: (...args) => log('WARN', args),
  error: (...args) => log('ERROR', args),
};

// What every client gets: the name server given (no Aliyun address
// service, so no HTTP client is used; ali-ons insists on one being passed),
// dummy keys (ali-ons signs requests when given keys; rmq ignores ACL).
function clientOptions(instanceName) {
  return {
    nameSrv: namesrv,
    httpclient: { request: async () => { throw new Error('no HTTP in this test'); } },
    accessKeyId: 'compat-dummy-access-key',
    accessKeySecret: 'compat-dummy-secret-key',
    instanceName,
    logger,
  };
}

const clientErrors = [];
function watch(client, name) {
  client.on('error', err => {
    clientErrors.push(`${name}: ${err.message}`);
    log('ERROR', [`${name} emitted error:`, err]);
  });
  return client;
}

async function newProducer() {
  const producer = watch(new Producer(Object.assign(clientOptions(`NodeProducer-${phase}`), {
    producerGroup: 'NodeCompatProducerGroup',
  })), 'producer');
  await producer.ready();
  return producer;
}

// A push consumer of topic with expression, recording every message in sink.
async function newConsumer(group, topic, expression, sink, extraOptions = {}) {
  const consumer = watch(new Consumer(Object.assign(clientOptions(group), {
    consumerGroup: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  }, extraOptions)), `consumer ${group}`);
  consumer.subscribe(topic, expression, async msg => {
    sink.push(msg);
  });
  await consumer.ready();
  return consumer;
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

// Polls condition every 20 ms; throws after timeoutMs with what and detail().
async function waitFor(condition, timeoutMs, what, detail) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${detail()})`);
    }
    await sleep(20);
  }
}

// Calls fetch every 20 ms until it resolves to a value (not a rejection);
// throws after timeoutMs with the last rejection.
async function pollFor(fetch, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError;
    try {
      const value = await fetch();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${lastError})`);
    await sleep(20);
  }
}

function range(prefix, n) {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function sorted(list) {
  return [...list].sort();
}

// The first key of a message (ali-ons joins keys with a space).
function firstKey(msg) {
  return (msg.keys || '').split(' ')[0];
}

function message(topic, tags, keys, body) {
  const msg = new Message(topic, tags, body);
  // Without tags, ali-ons would send the property TAGS=null (the text);
  // leave it out as Java does. ali-ons's own filter lets a message without
  // tags through, so only the broker's tag-code filter keeps it away.
  if (!tags) delete msg.properties.TAGS;
  msg.keys = keys;
  return msg;
}

// Checks send results: SEND_OK, an id, queue offsets 0, 1, 2, … per queue.
function checkSendResults(topic, results) {
  const next = new Map();
  for (const r of results) {
    assert.strictEqual(r.sendStatus, 'SEND_OK', `send status ${util.inspect(r)}`);
    assert.match(r.msgId || '', /^[0-9A-F]{32}$/, 'msgId (offset message id, 16 bytes in hex)');
    assert.strictEqual(r.messageQueue.topic, topic, 'send result topic');
    const queueId = r.messageQueue.queueId;
    const expected = next.get(queueId) || 0;
    assert.strictEqual(r.queueOffset, expected, `queue offset in queue ${queueId}`);
    next.set(queueId, expected + 1);
  }
}

// ---- scenarios ------------------------------------------------------------

const TAG_TOPIC = 'NodeTag';
const TAGS = [ 'TagA', 'TagB', 'TagC', null, 'TagAB' ];
const TAG_COUNT = 20;
// A body over ali-ons's compressMsgBodyOverHowmuch (4 KiB): sent compressed.
const BIG_BODY = 'compressible body of the TagB message 1. '.repeat(400);
const RESTART_TOPIC = 'NodeRestart';
const RESTART_GROUP = 'NodeRestartGroup';
const RESTART_BATCH = 8;
// At most this many queues per topic (ali-ons's defaultTopicQueueNums).
const MAX_QUEUES = 4;

function tagBody(i) {
  return i === 1 ? BIG_BODY : `tag body ${i}`;
}

let producer;

// ali-ons sends only to topics that exist (a missing one fails with
// TOPIC_NOT_EXIST; it never falls back to TBW102 as the Java client does), so
// topics are created first with its MQClientAPI.createTopic (internal: its
// producer's createTopic is commented out), as mqadmin updateTopic would:
// UPDATE_AND_CREATE_TOPIC to the master of each broker serving TBW102.
async function createTopics(topics = [ TAG_TOPIC, RESTART_TOPIC ]) {
  const client = producer._mqClient;
  const route = await client.getDefaultTopicRouteInfoFromNameServer('TBW102', 3000);
  assert(route && route.brokerDatas.length > 0, `TBW102's route names no broker: ${util.inspect(route)}`);
  for (const topic of topics) {
    for (const broker of route.brokerDatas) {
      const master = broker.brokerAddrs['0'];
      assert(master, `broker ${broker.brokerName} has no master in ${util.inspect(broker)}`);
      await client.createTopic(master, 'TBW102', {
        topicName: topic, readQueueNums: MAX_QUEUES, writeQueueNums: MAX_QUEUES, perm: 6,
        topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
      }, 3000);
    }
    // The broker registers the new topic with the name server on its own.
    const created = await pollFor(() => client.getTopicRouteInfoFromNameServer(topic, 3000), WAIT_MS,
      `the route of ${topic}`);
    const queues = created.queueDatas;
    assert.strictEqual(queues.length, route.brokerDatas.length, `queueDatas of ${topic}`);
    for (const q of queues) {
      assert.strictEqual(q.readQueueNums, MAX_QUEUES, `readQueueNums of ${topic}`);
      assert.strictEqual(q.writeQueueNums, MAX_QUEUES, `writeQueueNums of ${topic}`);
      assert.strictEqual(q.perm, 6, `perm of ${topic}`);
    }
  }
}

async function sendTagsKeys() {
  const results = [];
  for (let i = 0; i < TAG_COUNT; i++) {
    const tag = TAGS[i % TAGS.length];
    results.push(await producer.send(message(TAG_TOPIC, tag, [ `tag-${i}`, `extra-${i}` ], tagBody(i))));
  }
  checkSendResults(TAG_TOPIC, results);
  const queues = new Set(results.map(r => r.messageQueue.queueId));
  assert(queues.size > 1, `round-robin sends used only queues ${[ ...queues ]}`);
}

async function pushConsumerTagFilter() {
  // One TagA sentinel per queue, sent after the messages above: ali-ons
  // consumes a queue's messages one at a time in order, so once every
  // sentinel is in, every earlier message was delivered or filtered out.
  // Consecutive sends rotate over the queues, so MAX_QUEUES reach them all.
  const sentinels = [];
  for (let q = 0; q < MAX_QUEUES; q++) {
    const r = await producer.send(message(TAG_TOPIC, 'TagA', [ `end-${q}` ], `sentinel ${q}`));
    assert.strictEqual(r.sendStatus, 'SEND_OK');
    sentinels.push(`end-${q}`);
  }
  const expected = [];
  for (let i = 0; i < TAG_COUNT; i++) {
    const tag = TAGS[i % TAGS.length];
    if (tag === 'TagA' || tag === 'TagB') expected.push(`tag-${i}`);
  }
  expected.push(...sentinels);

  const received = [];
  const consumer = await newConsumer('NodeTagGroup', TAG_TOPIC, 'TagA || TagB', received);
  try {
    await waitFor(() => sentinels.every(s => received.some(m => firstKey(m) === s)), WAIT_MS,
      'every sentinel', () => `received ${received.map(firstKey)}`);
  } finally {
    await consumer.close();
  }
  assert.deepStrictEqual(sorted(received.map(firstKey)), sorted(expected),
    "keys received by a consumer subscribed to 'TagA || TagB'");
  for (const m of received) {
    const key = firstKey(m);
    assert(m.tags === 'TagA' || m.tags === 'TagB', `${key} has tags ${m.tags}`);
    if (key.startsWith('tag-')) {
      const i = Number(key.slice(4));
      assert.strictEqual(m.keys, `tag-${i} extra-${i}`, `KEYS of ${key}`);
      assert.strictEqual(m.body.toString(), tagBody(i), `body of ${key}`);
      assert.strictEqual(m.topic, TAG_TOPIC, `topic of ${key}`);
    }
  }
}

async function sendRestartBatch(prefix) {
  for (let i = 0; i < RESTART_BATCH; i++) {
    const r = await producer.send(message(RESTART_TOPIC, 'R', [ `${prefix}${i}` ], `${prefix} body ${i}`));
    assert.strictEqual(r.sendStatus, 'SEND_OK', `send ${prefix}${i}`);
  }
}

async function restartConsumePart() {
  await sendRestartBatch('r1-');
  const received = [];
  const consumer = await newConsumer(RESTART_GROUP, RESTART_TOPIC, '*', received);
  try {
    await waitFor(() => received.length >= RESTART_BATCH, WAIT_MS, `${RESTART_BATCH} messages r1-*`,
      () => `received ${received.map(firstKey)}`);
  } finally {
    // Closing persists the group's offsets at the broker.
    await consumer.close();
  }
  assert.deepStrictEqual(sorted(received.map(firstKey)), sorted(range('r1-', RESTART_BATCH)), 'first consumption');
  // The part left for after the restart.
  await sendRestartBatch('r2-');
}

async function restartResumeOffsets() {
  // One more message per queue after the restart, last in each queue.
  const tail = [];
  for (let q = 0; q < MAX_QUEUES; q++) {
    const r = await producer.send(message(RESTART_TOPIC, 'R', [ `r3-${q}` ], `r3 body ${q}`));
    assert.strictEqual(r.sendStatus, 'SEND_OK', `send r3-${q} after restart`);
    tail.push(`r3-${q}`);
  }
  const received = [];
  const consumer = await newConsumer(RESTART_GROUP, RESTART_TOPIC, '*', received);
  try {
    await waitFor(() => tail.every(k => received.some(m => firstKey(m) === k)), WAIT_MS, 'the r3-* messages',
      () => `received ${received.map(firstKey)}`);
  } finally {
    await consumer.close();
  }
  const got = received.map(firstKey);
  // The offsets were persisted by the consumer's close and the broker's
  // shutdown: after a clean restart at-least-once allows no duplicates here.
  const redelivered = got.filter(k => k.startsWith('r1-'));
  assert.deepStrictEqual(redelivered, [], 'already consumed messages delivered again after restart');
  assert.deepStrictEqual(sorted(got), sorted([ ...range('r2-', RESTART_BATCH), ...tail ]),
    'messages consumed after restart');
}

// Clients stay connected while the driver restarts rmq-server on the same
// ports: prints "LIVE READY" once the consumer is idle with its offset at the
// broker, reads "restarted" from stdin, then expects the producer and the
// consumer to carry on over new connections.
async function liveRestart() {
  const topic = 'NodeLive';
  await createTopics([ topic ]);
  const received = [];
  const consumer = await newConsumer('NodeLiveGroup', topic, '*', received, {
    // Re-introduce the consumer to the restarted broker soon (default 30 s).
    heartbeatBrokerInterval: 1000,
    persistConsumerOffsetInterval: 500,
  });
  try {
    let r = await producer.send(message(topic, 'L', [ 'live-0' ], 'before'));
    assert.strictEqual(r.sendStatus, 'SEND_OK', 'send live-0');
    await waitFor(() => received.some(m => firstKey(m) === 'live-0'), WAIT_MS, 'live-0',
      () => `received ${received.map(firstKey)}`);
    // live-0's offset must be at the broker before it stops (else
    // redelivering it would be at-least-once, not a bug). Read through the
    // consumer's offset store (internal: ali-ons has no public API for it).
    const mqs = consumer._topicSubscribeInfoTable.get(topic);
    await pollFor(async () => {
      let sum = 0;
      for (const mq of mqs) {
        const offset = await consumer._offsetStore.readOffset(mq, 'READ_FROM_STORE');
        if (offset > 0) sum += offset;
      }
      return sum === 1;
    }, WAIT_MS, "live-0's offset at the broker");
    console.log('LIVE READY');
    const line = await readLine();
    assert.strictEqual(line, 'restarted', 'line from the test driver');
    const sent = [];
    const sendErrors = [];
    for (let i = 1; i <= 10; i++) {
      const key = `live-${i}`;
      // A send may meet a connection the restart closed; retry until the deadline.
      await pollFor(async () => {
        try {
          r = await producer.send(message(topic, 'L', [ key ], 'after'));
          return r.sendStatus === 'SEND_OK';
        } catch (err) {
          sendErrors.push(`${key}: ${err.message}`);
          throw err;
        }
      }, WAIT_MS, `send ${key} after the restart`);
      sent.push(key);
    }
    await waitFor(() => sent.every(k => received.some(m => firstKey(m) === k)), WAIT_MS,
      'live-1..10 after the restart', () => `received ${received.map(firstKey)}; send errors ${sendErrors}`);
    assert.deepStrictEqual(sorted(received.map(firstKey)), sorted([ 'live-0', ...sent ]),
      'messages consumed across the restart (live-0 once: its offset was at the broker)');
  } finally {
    await consumer.close();
  }
}

function readLine() {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', chunk => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl >= 0) {
        process.stdin.pause();
        resolve(data.slice(0, nl));
      }
    });
    process.stdin.on('end', () => reject(new Error(`stdin ended before a line (got '${data}')`)));
  });
}

// ---- runner ---------------------------------------------------------------

const phases = {
  'before-restart': {
    create_topic: createTopics,
    send_tags_keys: sendTagsKeys,
    push_consumer_tag_filter: pushConsumerTagFilter,
    restart_consume_part: restartConsumePart,
  },
  'after-restart': {
    restart_resume_offsets: restartResumeOffsets,
  },
  'live-restart': {
    live_restart_reconnect: liveRestart,
  },
};

async function runOne(fn) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: no result after ${SCENARIO_TIMEOUT_MS / 1000} s`)),
      SCENARIO_TIMEOUT_MS);
  });
  try {
    await Promise.race([ fn(), timeout ]);
    return null;
  } catch (err) {
    return err instanceof assert.AssertionError ? err.message : (err.stack || String(err));
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  const scenarios = phases[phase];
  if (!scenarios) {
    console.error(`unknown phase ${phase}`);
    process.exit(2);
  }
  producer = await newProducer();
  const failed = [];
  let ran = 0;
  for (const [ name, fn ] of Object.entries(scenarios)) {
    if (only.length && !only.includes(name)) continue;
    ran++;
    const start = Date.now();
    const error = await runOne(fn);
    const ms = Date.now() - start;
    if (error === null) {
      console.log(`PASS node/${name} (${ms} ms)`);
    } else {
      console.log(`FAIL node/${name} (${ms} ms): ${error}`);
      failed.push(name);
    }
  }
  await producer.close();
  if (clientErrors.length) console.log(`ali-ons reported errors (not failures by themselves):\n  ${clientErrors.join('\n  ')}`);
  console.log(`${phase}: ${ran} scenarios, ${failed.length} failed${failed.length ? ' ' + failed.join(', ') : ''}`);
  // ali-ons keeps timers running after close.
  process.exit(failed.length ? 1 : 0);
}

main().catch(err => {
  console.log(`FAIL node/${phase}: ${err.stack || err}`);
  process.exit(1);
});
