import { errorOf } from '../../lib/errdefs/index.js';

/**
 * The Dockerfile shell-word processor (BuildKit's `shell.Lex`) for the
 * instructions that expand variables (ENV, LABEL, EXPOSE, USER, VOLUME,
 * WORKDIR, STOPSIGNAL): quote removal (`'…'` literal, `"…"` with `\"`, `\\`,
 * `\$` escapes), `\x` outside quotes, and `$VAR`, `${VAR}`, `${VAR:-w}`,
 * `${VAR-w}`, `${VAR:+w}`, `${VAR+w}`, `${VAR:?msg}`, `${VAR?msg}` from
 * `env` (`KEY=value` strings). An unset variable expands to nothing.
 * Errors are `invalid-argument` with BuildKit's wording.
 */
export function processWord(word: string, env: readonly string[]): string {
  return new ShellWord(word, env).run().text;
}

/**
 * Like `processWord`, but split into words at unquoted whitespace, including
 * whitespace inside unquoted variable values (how EXPOSE reads `$PORTS`).
 */
export function processWords(word: string, env: readonly string[]): string[] {
  return new ShellWord(word, env).run().words;
}

const isSpace = (c: string) => /\s/u.test(c);
const isNameChar = (c: string) => /[\p{L}\p{Nd}_]/u.test(c);
const specialParams = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

class Words {
  readonly words: string[] = [];
  private word = '';
  private inWord = false;

  add(s: string, raw: boolean): void {
    for (const c of s) {
      if (!raw && isSpace(c)) {
        if (this.inWord && this.word !== '') {
          this.words.push(this.word);
          this.word = '';
          this.inWord = false;
        }
      } else {
        this.word += c;
        this.inWord = true;
      }
    }
  }

  done(): string[] {
    if (this.word !== '') this.words.push(this.word);
    return this.words;
  }
}

class ShellWord {
  private readonly chars: string[];
  private pos = 0;

  constructor(word: string, private readonly env: readonly string[]) {
    this.chars = Array.from(word);
  }

  run(): { text: string; words: string[] } {
    const { text, words } = this.until(undefined);
    return { text, words: words.done() };
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    return this.chars[this.pos++];
  }

  /** Processes up to `stop` (consumed) or the end; a missing `stop` is an error. */
  private until(stop: string | undefined): { text: string; words: Words } {
    let text = '';
    const words = new Words();
    for (let c = this.peek(); c !== undefined; c = this.peek()) {
      if (c === stop) {
        this.pos++;
        return { text, words };
      }
      if (c === "'" || c === '"' || c === '$') {
        const part = c === "'" ? this.singleQuoted() : c === '"' ? this.doubleQuoted() : this.dollar();
        text += part;
        words.add(part, c !== '$');
        continue;
      }
      this.pos++;
      if (c === '\\') {
        const escaped = this.next();
        if (escaped === undefined) break;
        text += escaped;
        words.add(escaped, true);
        continue;
      }
      text += c;
      words.add(c, false);
    }
    if (stop !== undefined) throw errorOf('invalid-argument', `unexpected end of statement while looking for matching ${stop}`);
    return { text, words };
  }

  private singleQuoted(): string {
    this.pos++;
    let out = '';
    for (let c = this.next(); c !== "'"; c = this.next()) {
      if (c === undefined) throw errorOf('invalid-argument', 'unexpected end of statement while looking for matching single-quote');
      out += c;
    }
    return out;
  }

  private doubleQuoted(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw errorOf('invalid-argument', 'unexpected end of statement while looking for matching double-quote');
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '$') {
        out += this.dollar();
        continue;
      }
      this.pos++;
      if (c === '\\') {
        const after = this.peek();
        if (after === undefined) continue;
        if (after === '"' || after === '$' || after === '\\') {
          out += this.next();
          continue;
        }
      }
      out += c;
    }
  }

  private dollar(): string {
    this.pos++;
    if (this.peek() !== '{') {
      const name = this.name();
      return name === '' ? '$' : (this.lookup(name) ?? '');
    }
    this.pos++;
    const first = this.peek();
    if (first === undefined) throw errorOf('invalid-argument', "syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw errorOf('invalid-argument', 'syntax error: bad substitution');
    const name = this.name();
    const op = this.next();
    if (op === '}') return this.lookup(name) ?? '';
    if (op === ':' || op === '-' || op === '+' || op === '?') {
      const colon = op === ':';
      const modifier = colon ? this.next() : op;
      const word = this.until('}').text;
      return this.modify(name, modifier, colon, word);
    }
    if (op === undefined) throw errorOf('invalid-argument', "syntax error: missing '}'");
    throw errorOf('invalid-argument', "missing ':' in substitution");
  }

  private modify(name: string, modifier: string | undefined, colon: boolean, word: string): string {
    const value = this.lookup(name);
    // With a colon an empty value counts as unset, as in the POSIX shell.
    const unset = value === undefined || (colon && value === '');
    switch (modifier) {
      case '-': return unset ? word : value!;
      case '+': return unset ? '' : word;
      case '?':
        if (unset) {
          const why = word !== '' ? word : value === undefined ? 'is not allowed to be unset' : 'is not allowed to be empty';
          throw errorOf('invalid-argument', `${name}: ${why}`);
        }
        return value!;
      default: throw errorOf('invalid-argument', `unsupported modifier (${modifier ?? ''}) in substitution`);
    }
  }

  private name(): string {
    let name = '';
    for (let c = this.peek(); c !== undefined; c = this.peek()) {
      if (name === '' && /\p{Nd}/u.test(c)) {
        while (this.peek() !== undefined && /\p{Nd}/u.test(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && specialParams.has(c)) return this.next()!;
      if (!isNameChar(c)) break;
      name += this.next();
    }
    return name;
  }

  private lookup(name: string): string | undefined {
    for (const kv of this.env) {
      const eq = kv.indexOf('=');
      if ((eq < 0 ? kv : kv.slice(0, eq)) === name) return eq < 0 ? '' : kv.slice(eq + 1);
    }
    return undefined;
  }
}
