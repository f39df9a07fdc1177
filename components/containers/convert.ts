/**
 * Proto ↔ domain for the container services. Docker-shaped values travel as JSON text.
 */
import type { LogsRequest } from '../../api/moby/container_logs/v1/container_logs.js';
import type { CommitRequest, PathStat as ProtoPathStat } from '../../api/moby/container_rootfs/v1/container_rootfs.js';
import type { FilterValues, StopRequest } from '../../api/moby/container_runtime/v1/container_runtime.js';
import type { CommitOptions, LogsOptions, PathStat, StopOptions, WaitCondition } from '../../core/container-engine/container-engine.js';
import { errorOf } from '../../lib/errdefs/index.js';

export function toJson(value: unknown): { json: string } {
  return { json: JSON.stringify(value) };
}

export function fromJson<T>(res: { json: string }): T {
  return JSON.parse(res.json) as T;
}

export function filtersToProto(filters: Record<string, string[]> | undefined): Record<string, FilterValues> {
  return Object.fromEntries(Object.entries(filters ?? {}).map(([key, values]) => [key, { values }]));
}

export function filtersFromProto(filters: Record<string, FilterValues>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(filters).map(([key, { values }]) => [key, values]));
}

export function stopToProto(ref: string, opts: StopOptions = {}): StopRequest {
  return { ref, signal: opts.signal ?? '', ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }) };
}

export function stopFromProto(r: StopRequest): StopOptions {
  const out: StopOptions = {};
  if (r.signal) out.signal = r.signal;
  if (r.timeout !== undefined) out.timeout = r.timeout;
  return out;
}

export function waitCondition(text: string): WaitCondition {
  if (text === '' || text === 'not-running') return 'not-running';
  if (text === 'next-exit' || text === 'removed') return text;
  throw errorOf('invalid-argument', `invalid condition: "${text}"`);
}

export function statToProto(s: PathStat): ProtoPathStat {
  return { name: s.name, size: s.size, mode: s.mode >>> 0, mtime: s.mtime, linkTarget: s.linkTarget };
}

export function statFromProto(s: ProtoPathStat): PathStat {
  return { name: s.name, size: s.size, mode: s.mode >>> 0, mtime: s.mtime, linkTarget: s.linkTarget };
}

export function commitToProto(ref: string, o: CommitOptions): CommitRequest {
  return {
    ref, repo: o.repo ?? '', tag: o.tag ?? '', comment: o.comment ?? '', author: o.author ?? '', changes: o.changes ?? [],
    pause: o.pause ?? true, configJson: o.config === undefined || o.config === null ? '' : JSON.stringify(o.config),
  };
}

export function commitFromProto(r: CommitRequest): CommitOptions {
  const out: CommitOptions = { changes: r.changes, pause: r.pause };
  if (r.repo) out.repo = r.repo;
  if (r.tag) out.tag = r.tag;
  if (r.comment) out.comment = r.comment;
  if (r.author) out.author = r.author;
  if (r.configJson) out.config = JSON.parse(r.configJson);
  return out;
}

export function logsToProto(ref: string, o: LogsOptions): LogsRequest {
  return {
    ref, follow: o.follow ?? false, stdout: o.stdout ?? false, stderr: o.stderr ?? false,
    sinceNanos: o.sinceNanos ? o.sinceNanos.toString() : '', untilNanos: o.untilNanos ? o.untilNanos.toString() : '',
    tail: o.tail === undefined || o.tail === 'all' ? -1 : o.tail,
    coalesce: o.coalesce ?? false,
  };
}

export function logsFromProto(r: LogsRequest): LogsOptions {
  const out: LogsOptions = { follow: r.follow, stdout: r.stdout, stderr: r.stderr, tail: r.tail < 0 ? 'all' : r.tail, coalesce: r.coalesce };
  if (r.sinceNanos && r.sinceNanos !== '0') out.sinceNanos = BigInt(r.sinceNanos);
  if (r.untilNanos && r.untilNanos !== '0') out.untilNanos = BigInt(r.untilNanos);
  return out;
}
