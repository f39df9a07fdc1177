import { errorOf } from '../../lib/errdefs/index.js';

/**
 * Go's `path.Match`, which Docker's `reference` filter uses on familiar names: `*` is any
 * run of characters but `/`, `?` one such character, `[a-z]` and `[^…]` classes, `\`
 * escapes. A malformed pattern is `invalid-argument` with Go's message.
 */
export function pathMatch(pattern: string, name: string): boolean {
  return globRegExp(pattern).test(name);
}

const cache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern)}$`);
    if (cache.size > 100) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

function badPattern() {
  return errorOf('invalid-argument', 'syntax error in pattern');
}

function translate(pattern: string): string {
  const chars = [...pattern];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= chars.length) throw badPattern();
      out += escape(chars[++i]!);
    } else if (c === '[') {
      const { source, end } = translateClass(chars, i + 1);
      out += source;
      i = end;
    } else out += escape(c);
  }
  return out;
}

/** A `[...]` class starting after its `[`; returns the regex class and the index of its `]`. */
function translateClass(chars: string[], start: number): { source: string; end: number } {
  let i = start;
  let negated = false;
  if (chars[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: string[] = [];
  for (let first = true; ; first = false) {
    if (i >= chars.length) throw badPattern();
    if (chars[i] === ']' && !first) break;
    const lo = classChar(chars, i);
    i = lo.next;
    let hi = lo.char;
    if (chars[i] === '-') {
      const upper = classChar(chars, i + 1);
      hi = upper.char;
      i = upper.next;
    }
    // Go accepts a reversed range, which matches nothing; a JavaScript class would throw.
    if (lo.char <= hi) ranges.push(lo.char === hi ? escape(hi) : `${escape(lo.char)}-${escape(hi)}`);
  }
  if (ranges.length === 0) return { source: negated ? '[\\s\\S]' : '(?!)', end: i };
  return { source: negated ? `[^${ranges.join('')}]` : `[${ranges.join('')}]`, end: i };
}

function classChar(chars: string[], i: number): { char: string; next: number } {
  const c = chars[i];
  if (c === undefined || c === '-' || c === ']') throw badPattern();
  if (c === '\\') {
    const escaped = chars[i + 1];
    if (escaped === undefined) throw badPattern();
    return { char: escaped, next: i + 2 };
  }
  return { char: c, next: i + 1 };
}

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}
