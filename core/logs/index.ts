/** Container logs: reading Docker's json-file log files (rotation, tail, follow). */
export {
  BlockEntry,
  decodeLine,
  decodeLines,
  fixedNanoTime,
  logEntry,
  parseTimeNanos,
  parseWithJson,
  unixTimeToNanos,
  type DecodeResult,
  type LineFilter,
  type LogEntry,
  type LogStreamName,
} from './json-line.js';
export { coalesceRuns, type CoalescedEntry } from './coalesce.js';
export { readBlockSize, readLogs, tailStart, type LogReader, type ReadLogsOptions } from './json-file-reader.js';
