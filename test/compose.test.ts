/**
 * End to end: docker-compose 1.29 (Debian's, over docker-py) drives our engine: a project with
 * a user-defined network (service names and aliases resolved), a published port reached from
 * the host, a named volume, `exec`, `ps`, and `down -v` removing what `up` made.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ok, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';
import { freePort } from './support/host-net.js';
import { waitUntil } from './support/wait.js';

const run = promisify(execFile);

describe(`docker-compose (target: ${targetKind()})`, { timeout: 300_000 }, () => {
  let target: ContainerTarget;
  let dir: string;
  const project = `mobyc${randomBytes(3).toString('hex')}`;
  const compose = async (...args: string[]) =>
    (await run('docker-compose', ['-p', project, ...args], { cwd: dir, env: target.dockerEnv, timeout: 120_000, maxBuffer: 16 << 20 })).stdout;

  before(async () => {
    target = await startContainerTarget();
    dir = join(target.scratch, 'compose');
    await mkdir(dir, { recursive: true });
  });
  after(async () => {
    if (dir) await compose('down', '-v', '--remove-orphans').catch(() => undefined);
    await target?.cleanup();
  });

  it('up: services on their network by name and alias, a published port, a named volume; down -v removes it all', { timeout: 240_000 }, async () => {
    const port = await freePort();
    await writeFile(join(dir, 'docker-compose.yml'), [
      'version: "3.8"',
      'services:',
      '  web:',
      '    image: busybox:latest',
      `    command: sh -c 'mkdir -p /www && echo hello-compose > /www/index.html && exec httpd -f -p 80 -h /www'`,
      `    ports: ["127.0.0.1:${port}:80"]`,
      '    networks: [backend]',
      '  client:',
      '    image: busybox:latest',
      '    command: sleep 1000',
      '    volumes: ["data:/data"]',
      '    networks:',
      '      backend:',
      '        aliases: [cli]',
      'networks:',
      '  backend: {}',
      'volumes:',
      '  data: {}',
      '',
    ].join('\n'));
    await compose('up', '-d');
    const ps = await compose('ps');
    assert.match(ps, new RegExp(`${project}_web_1 .* Up .*127\\.0\\.0\\.1:${port}->80/tcp`));
    assert.match(ps, new RegExp(`${project}_client_1 .* Up`));
    let page = '';
    await waitUntil(async () => {
      page = await compose('exec', '-T', 'client', 'wget', '-qO-', 'http://web/').catch(() => '');
      return page !== '';
    }, { timeoutMs: 20_000, what: 'client fetching web by service name' });
    assert.equal(page, 'hello-compose\n');
    assert.equal((await run('curl', ['-s', `http://127.0.0.1:${port}/`])).stdout, 'hello-compose\n');
    const ping = await compose('exec', '-T', 'web', 'ping', '-c1', '-W3', 'cli');
    assert.match(ping, /1 packets received/);
    await compose('exec', '-T', 'client', 'sh', '-c', 'echo kept > /data/f');
    const volumes = await ok(target.dockerEnv, ['volume', 'ls', '-q']);
    assert.match(volumes, new RegExp(`^${project}_data$`, 'm'));
    const networks = await ok(target.dockerEnv, ['network', 'ls', '--format', '{{.Name}}']);
    assert.match(networks, new RegExp(`^${project}_backend$`, 'm'));
    await compose('down', '-v');
    assert.equal((await ok(target.dockerEnv, ['ps', '-aq'])).trim(), '');
    assert.doesNotMatch(await ok(target.dockerEnv, ['volume', 'ls', '-q']), new RegExp(`${project}_data`));
    assert.doesNotMatch(await ok(target.dockerEnv, ['network', 'ls', '--format', '{{.Name}}']), new RegExp(`${project}_backend`));
  });
});
