/**
 * The host's `os-release` (freedesktop.org format): `KEY=value` lines, values optionally
 * quoted with `"` or `'`, `#` comments. Docker reports `PRETTY_NAME` as OperatingSystem and
 * `VERSION_ID` as OSVersion.
 */
export interface OsRelease {
  /** PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)"; "Linux" when absent. */
  prettyName: string;
  /** VERSION_ID, e.g. "12"; "" when absent. */
  versionId: string;
}

export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    values.set(line.slice(0, eq), unquote(line.slice(eq + 1)));
  }
  return { prettyName: values.get('PRETTY_NAME') || 'Linux', versionId: values.get('VERSION_ID') ?? '' };
}

function unquote(value: string): string {
  const first = value[0];
  if ((first === '"' || first === "'") && value.endsWith(first) && value.length >= 2) {
    return value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
  }
  return value;
}
