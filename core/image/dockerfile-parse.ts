import { errorOf } from '../../lib/errdefs/index.js';

/**
 * The part of the Dockerfile parser (BuildKit's `frontend/dockerfile/parser`)
 * that `--change` instructions go through: lines joined by continuation
 * backslashes, comments dropped, each line split into instruction, leading
 * `--flags` and the rest, plus the argument splitters the instructions use.
 * The escape character is always `\` (a `# escape=` directive cannot appear
 * in a change).
 */
export interface Instruction {
  /** As written: `cmd`, `CMD`. */
  name: string;
  /** Leading `--name[=value]` words, without interpretation. */
  flags: string[];
  /** Everything after the name and flags, trimmed. */
  rest: string;
  /** The whole (joined) line. */
  original: string;
}

const whitespace = /[\t\v\f\r ]+/;
const isSpace = (c: string) => /\s/u.test(c);

/** Splits a Dockerfile text into instructions; none at all is Docker's "file with no instructions". */
export function parseInstructions(text: string): Instruction[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const out: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.replace(/^\s+/u, '');
    if (first.startsWith('#')) continue;
    let [line, continued] = trimContinuation(first);
    while (continued && i + 1 < lines.length) {
      const next = lines[++i]!;
      if (/^\s*#/u.test(next)) continue;
      if (next.trim() === '') continue;
      const [part, more] = trimContinuation(next);
      line += part;
      continued = more;
    }
    if (line.trim() === '') continue;
    out.push(splitInstruction(line));
  }
  if (out.length === 0) throw errorOf('invalid-argument', 'file with no instructions');
  return out;
}

function trimContinuation(line: string): [string, boolean] {
  const m = /\\[ \t]*$/.exec(line);
  return m ? [line.slice(0, m.index), true] : [line, false];
}

/** BuildKit's `splitCommand` + `extractBuilderFlags`. */
export function splitInstruction(line: string): Instruction {
  const trimmed = line.trim();
  const m = whitespace.exec(trimmed);
  const name = m ? trimmed.slice(0, m.index) : trimmed;
  const args = m ? trimmed.slice(m.index + m[0].length) : '';
  const { flags, rest } = extractFlags(args);
  return { name, flags, rest: rest.trim(), original: line };
}

/** Leading words that start with `--` (quotes and backslashes processed inside them); `--` alone ends them. */
function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && isSpace(line[pos]!)) pos++;
    if (!line.startsWith('--', pos)) return { flags, rest: line.slice(pos) };
    let word = '';
    let blankOk = false;
    let quote = '';
    for (; pos < line.length; pos++) {
      const c = line[pos]!;
      if (quote === '' && isSpace(c)) break;
      if (quote === '' && (c === '"' || c === "'")) { quote = c; blankOk = true; continue; }
      if (quote !== '' && c === quote) { quote = ''; continue; }
      if (c === '\\') {
        if (pos + 1 === line.length) continue;
        word += line[++pos];
        continue;
      }
      word += c;
    }
    if (word === '--') return { flags, rest: line.slice(pos) };
    if (blankOk || word !== '') flags.push(word);
    if (pos >= line.length) return { flags, rest: '' };
  }
}

/**
 * The words of `rest` split at unquoted whitespace, quotes and backslashes
 * kept (BuildKit's `parseWords`): ENV and LABEL split pairs this way and then
 * let the shell-word processor remove the quotes.
 */
export function parseWords(rest: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  const chars = Array.from(rest);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (!inWord) {
      if (isSpace(c)) continue;
      inWord = true;
    }
    if (quote === '') {
      if (isSpace(c)) {
        if (blankOk || word !== '') words.push(word);
        [word, inWord, blankOk] = ['', false, false];
        continue;
      }
      if (c === '"' || c === "'") [quote, blankOk] = [c, true];
      if (c === '\\') {
        if (i + 1 === chars.length) continue;
        word += c + chars[++i]!;
        continue;
      }
      word += c;
      continue;
    }
    if (c === quote) quote = '';
    if (c === '\\' && quote !== "'" && quote !== '') {
      if (i + 1 === chars.length) { quote = ''; continue; }
      word += c + chars[++i]!;
      continue;
    }
    word += c;
  }
  if (inWord && (blankOk || word !== '')) words.push(word);
  return words;
}

/** Whitespace-separated words, no quoting (`parseStringsWhitespaceDelimited`). */
export function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(/[\t\v\f\r ]+/);
}

/**
 * The JSON array form (`["a","b"]`): the strings, or undefined when `rest`
 * is not a JSON array (then it is the shell form). As Go's decoder, only the
 * first JSON value counts. An array holding anything but strings is an error.
 */
export function parseJsonArray(rest: string): string[] | undefined {
  const text = rest.replace(/^\s+/u, '');
  if (!text.startsWith('[')) return undefined;
  const end = endOfJsonValue(text);
  if (end === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, end));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (value.some((v) => typeof v !== 'string')) {
    throw errorOf('invalid-argument', 'when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value as string[];
}

/** Where the JSON value starting at 0 ends (bracket depth outside strings), if it does. */
function endOfJsonValue(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && --depth === 0) return i + 1;
  }
  return undefined;
}
