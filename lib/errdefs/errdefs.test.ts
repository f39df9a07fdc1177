import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, status } from '@grpc/grpc-js';
import { errorKinds, errorOf, kindOf, MobyError, wrap } from './errdefs.js';
import { fromGrpcError, toGrpcError } from './grpc.js';
import { httpStatusOf } from './http.js';

describe('errdefs', () => {
  it('wrap keeps the kind and puts context in front of the message', () => {
    const e = wrap(errorOf('not-found', 'blob sha256:ab: not found'), 'pull busybox');
    assert.equal(e.kind, 'not-found');
    assert.equal(e.message, 'pull busybox: blob sha256:ab: not found');
  });

  it('kindOf calls anything that is not a MobyError internal', () => {
    assert.equal(kindOf(new Error('x')), 'internal');
    assert.equal(kindOf('x'), 'internal');
  });

  it('every kind survives a trip through gRPC status and metadata', () => {
    for (const kind of errorKinds) {
      const g = toGrpcError(new MobyError(kind, `a ${kind}`));
      const back = fromGrpcError({ ...g, message: 'ignored' });
      assert.equal(back.kind, kind);
      assert.equal(back.message, `a ${kind}`);
    }
  });

  it('maps a foreign gRPC status without our metadata by its code', () => {
    const e = fromGrpcError({ code: status.NOT_FOUND, details: 'nope', metadata: new Metadata() });
    assert.equal(e.kind, 'not-found');
    assert.equal(fromGrpcError({ code: status.OUT_OF_RANGE, details: 'x', metadata: new Metadata() }).kind, 'invalid-argument');
    assert.equal(fromGrpcError({ code: status.UNAVAILABLE, details: 'x', metadata: new Metadata() }).kind, 'unavailable');
  });

  it('maps kinds to the HTTP statuses Docker clients expect', () => {
    assert.equal(httpStatusOf(errorOf('not-found', 'x')), 404);
    assert.equal(httpStatusOf(errorOf('invalid-argument', 'x')), 400);
    assert.equal(httpStatusOf(errorOf('conflict', 'x')), 409);
    assert.equal(httpStatusOf(errorOf('already-exists', 'x')), 409);
    assert.equal(httpStatusOf(errorOf('not-modified', 'x')), 304);
    assert.equal(httpStatusOf(errorOf('permission-denied', 'x')), 403);
    assert.equal(httpStatusOf(errorOf('unavailable', 'x')), 503);
    assert.equal(httpStatusOf(errorOf('not-implemented', 'x')), 501);
    assert.equal(httpStatusOf(new Error('boom')), 500);
  });
});
