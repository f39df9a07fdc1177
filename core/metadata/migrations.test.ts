import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { isKind } from '../../lib/errdefs/index.js';
import { migrate, migrations } from './migrations.js';

test('migrate applies every step in order and records the version', () => {
  const db = new Database(':memory:');
  try {
    assert.equal(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']), 2);
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')").pluck().get(), 2);
  } finally {
    db.close();
  }
});

test('migrate applies only the steps after the recorded version', () => {
  const db = new Database(':memory:');
  try {
    migrate(db, ['CREATE TABLE a (x)']);
    assert.equal(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']), 2);
    assert.equal(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']), 2);
  } finally {
    db.close();
  }
});

test('migrate rolls back a failing step and keeps the previous version', () => {
  const db = new Database(':memory:');
  try {
    assert.throws(() => migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y); INSERT INTO nowhere VALUES (1)']));
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'").pluck().get(), 0);
  } finally {
    db.close();
  }
});

test('migrate refuses a database newer than the steps it knows', () => {
  const db = new Database(':memory:');
  try {
    db.pragma(`user_version = ${migrations.length + 1}`);
    assert.throws(() => migrate(db), (err: Error) => isKind(err, 'failed-precondition'));
  } finally {
    db.close();
  }
});
