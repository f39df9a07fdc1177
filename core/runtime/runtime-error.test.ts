import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runtimeError, runtimeMessage } from './runtime-error.js';

describe('runtimeError', () => {
  it("keeps the runtime's message and reads the kind from it", () => {
    const cases: Array<[string, string, string]> = [
      ['{"level":"error","msg":"container does not exist","time":"x"}', 'start', 'not-found'],
      ['{"level":"error","msg":"container not running","time":"x"}', 'pause', 'failed-precondition'],
      ['{"level":"error","msg":"cannot start a container that has stopped","time":"x"}', 'start', 'failed-precondition'],
      ['{"level":"error","msg":"runc create failed: container with given ID already exists","time":"x"}', 'create', 'already-exists'],
      ['{"level":"error","msg":"something odd","time":"x"}', 'update', 'internal'],
    ];
    for (const [stderr, op, kind] of cases) {
      const err = runtimeError(op, stderr);
      assert.equal(err.kind, kind, stderr);
      assert.equal(err.message, `OCI runtime ${op} failed: ${runtimeMessage(stderr)}`);
    }
  });

  it('reads logfmt and plain lines too, taking the last error', () => {
    const logfmt = 'time="t" level=warning msg="w"\ntime="t" level=error msg="runc create failed: exec: \\"ls\\": executable file not found in $PATH"\n';
    assert.equal(runtimeMessage(logfmt), 'runc create failed: exec: "ls": executable file not found in $PATH');
    assert.equal(runtimeError('create', logfmt).kind, 'invalid-argument');
    assert.equal(runtimeMessage('crun: plain words\n'), 'crun: plain words');
  });
});
