import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { startDnsResponder } from '../../test/support/dns-responder.js';
import { answersWith, encodeQuery, waitForAnswer } from './dns-probe.js';

test('waitForAnswer: true once the server answers the name with the address, false when it never does', async () => {
  const server = await startDnsResponder('127.0.0.1', { 'c0ffee123456': '10.1.2.3' }, 0);
  try {
    const port = server.port;
    assert.equal(await waitForAnswer('127.0.0.1', 'c0ffee123456', '10.1.2.3', { port }), true);
    assert.equal(await waitForAnswer('127.0.0.1', 'c0ffee123456', '10.1.2.4', { port, timeoutMs: 120 }), false, 'another address is not an answer');
    assert.equal(await waitForAnswer('127.0.0.1', 'other', '10.1.2.3', { port, timeoutMs: 120 }), false, 'NXDOMAIN is not an answer');
    assert.ok(server.asked.filter((n) => n === 'other').length >= 2, 'asks again while unanswered');
  } finally {
    await server.close();
  }
});

test('waitForAnswer: a server that starts answering late (a reload) is waited for', async () => {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const { port } = socket.address();
  let ready = false;
  setTimeout(() => { ready = true; }, 100);
  socket.on('message', (msg, peer) => {
    if (!ready) return; // silence, as a server between its old and new listener
    const reply = Buffer.concat([msg, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 172, 18, 0, 2])]);
    reply.writeUInt16BE(0x8180, 2);
    reply.writeUInt16BE(1, 6);
    socket.send(reply, peer.port, peer.address);
  });
  try {
    const started = Date.now();
    assert.equal(await waitForAnswer('127.0.0.1', 'late', '172.18.0.2', { port, retryMs: 10 }), true);
    assert.ok(Date.now() - started >= 90);
  } finally {
    socket.close();
  }
});

test('answersWith refuses truncated, failed and foreign answers', () => {
  const query = encodeQuery(7, 'a.b');
  assert.equal(answersWith(query, '1.2.3.4'), false, 'a query is not a response');
  const ok = Buffer.concat([query, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 1, 2, 3, 4])]);
  ok.writeUInt16BE(0x8180, 2);
  ok.writeUInt16BE(1, 6);
  assert.equal(answersWith(ok, '1.2.3.4'), true);
  assert.equal(answersWith(ok.subarray(0, ok.length - 2), '1.2.3.4'), false, 'truncated');
  const failed = Buffer.from(ok);
  failed.writeUInt16BE(0x8183, 2);
  assert.equal(answersWith(failed, '1.2.3.4'), false, 'NXDOMAIN');
  assert.throws(() => encodeQuery(1, `${'x'.repeat(64)}.test`), /label of 64 bytes/);
});
