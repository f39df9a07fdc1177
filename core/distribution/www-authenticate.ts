/**
 * The `WWW-Authenticate` challenges of a 401 (RFC 7235), as registries send
 * them: `Basic realm="…"` or `Bearer realm="…",service="…",scope="…"`.
 * Scheme names are lower-cased; parameter names too; values are unquoted.
 * Malformed input yields whatever challenges parsed cleanly before it.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  return (Array.isArray(headers) ? headers : [headers]).flatMap(parseOne);
}

function parseOne(header: string): Challenge[] {
  const out: Challenge[] = [];
  let rest = header.trim();
  while (rest !== '') {
    const scheme = token.exec(rest)?.[0];
    if (scheme === undefined) break;
    rest = rest.slice(scheme.length).trimStart();
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    rest = readParams(rest, challenge.params);
  }
  return out;
}

/** Reads `k=v` pairs separated by commas; stops before a token that starts the next challenge. */
function readParams(input: string, params: Record<string, string>): string {
  let rest = input;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = token.exec(rest)?.[0];
    if (name === undefined) return '';
    const after = rest.slice(name.length).trimStart();
    if (!after.startsWith('=')) return rest; // the next challenge's scheme
    const read = readValue(after.slice(1).trimStart());
    if (read === undefined) return '';
    params[name.toLowerCase()] = read.value;
    rest = read.rest;
  }
}

function readValue(input: string): { value: string; rest: string } | undefined {
  if (!input.startsWith('"')) {
    const value = token.exec(input)?.[0] ?? '';
    return { value, rest: input.slice(value.length) };
  }
  let value = '';
  for (let i = 1; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\' && i + 1 < input.length) value += input[++i];
    else if (c === '"') return { value, rest: input.slice(i + 1) };
    else value += c;
  }
  return undefined;
}
