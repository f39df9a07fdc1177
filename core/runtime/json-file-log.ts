import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type LogStream = 'stdout' | 'stderr';

/**
 * Docker's json-file log driver format: one JSON object per line,
 * `{"log":"hi\n","stream":"stdout","time":"2026-…Z"}`. A line of output is one
 * entry, its newline kept; a partial line is held until its newline comes or
 * the stream ends (Docker also cuts entries at 16 KiB; so do we).
 */
export class JsonFileLog {
  private readonly out: WriteStream;
  private readonly pending: Record<LogStream, string> = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(
    path: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.out = createWriteStream(path, { flags: 'a' });
  }

  /** Records a chunk of a stream's output. */
  write(stream: LogStream, chunk: Buffer | string): void {
    const decoded = typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk);
    let text = this.pending[stream] + decoded;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
      this.entry(stream, text.slice(0, nl + 1));
      text = text.slice(nl + 1);
    }
    while (text.length >= MAX_ENTRY) {
      this.entry(stream, text.slice(0, MAX_ENTRY));
      text = text.slice(MAX_ENTRY);
    }
    this.pending[stream] = text;
  }

  /** Flushes a stream's partial line (at its end). */
  flush(stream: LogStream): void {
    this.pending[stream] += this.decoders[stream].end();
    if (this.pending[stream]) this.entry(stream, this.pending[stream]);
    this.pending[stream] = '';
  }

  /** Flushes both streams and closes the file. */
  close(): Promise<void> {
    this.flush('stdout');
    this.flush('stderr');
    return new Promise((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  private entry(stream: LogStream, log: string): void {
    this.out.write(JSON.stringify({ log, stream, time: this.now().toISOString() }) + '\n');
  }
}

const MAX_ENTRY = 16 * 1024;
