import type Database from 'better-sqlite3';
import { requireName } from './labels-column.js';

/** Engine facts that fit no table of their own (an engine id, a migration marker): string keys to string values. */
export class KvTable {
  private readonly selectOne;
  private readonly selectPrefix;
  private readonly upsert;
  private readonly deleteOne;

  constructor(db: Database.Database) {
    this.selectOne = db.prepare<[string], string>('SELECT value FROM kv WHERE key = ?').pluck();
    this.selectPrefix = db
      .prepare<[{ prefix: string }], [string, string]>(
        'SELECT key, value FROM kv WHERE substr(key, 1, length(@prefix)) = @prefix ORDER BY key',
      )
      .raw();
    this.upsert = db.prepare('INSERT INTO kv VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.deleteOne = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
  }

  get(key: string): string | undefined {
    return this.selectOne.get(key);
  }

  set(key: string, value: string): void {
    requireName(key, 'key');
    if (typeof value !== 'string') requireName(value, `value of ${key}`);
    this.upsert.run(key, value);
  }

  /** Returns whether the key existed. */
  delete(key: string): boolean {
    return this.deleteOne.run(key).changes > 0;
  }

  /** Entries whose key starts with `prefix`, in key order. */
  list(prefix = ''): [string, string][] {
    return this.selectPrefix.all({ prefix });
  }
}
