import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/** Where Go (and so Docker) finds the host's CA bundle, first found wins. */
const systemBundles = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/** Docker's per-registry certificate directory. */
export const defaultCertsDir = '/etc/docker/certs.d';

export interface TlsFiles {
  /** PEM CA certificates to trust: the host's bundle (Node's own when the host has none) and the registry's. */
  ca: string[];
  /** A client certificate and key (`client.cert` + `client.key`), if the registry's directory has one. */
  cert?: string;
  key?: string;
}

/**
 * The TLS material for `registry` as Docker gathers it: the host's CA bundle,
 * plus every `*.crt` under `<certsDir>/<registry>/` as extra CAs, and a
 * `*.cert`/`*.key` pair there as the client certificate. Missing files and
 * directories are not errors.
 */
export async function hostTlsFiles(registry: string, certsDir: string = defaultCertsDir): Promise<TlsFiles> {
  const ca: string[] = [];
  for (const path of systemBundles) {
    const pem = await readFile(path, 'utf8').catch(() => undefined);
    if (pem !== undefined) {
      ca.push(pem);
      break;
    }
  }
  if (ca.length === 0) ca.push(...rootCertificates);
  const out: TlsFiles = { ca };
  const dir = join(certsDir, registry);
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names) {
    if (name.endsWith('.crt')) ca.push(await readFile(join(dir, name), 'utf8'));
    else if (name.endsWith('.cert') && names.includes(name.replace(/\.cert$/, '.key'))) {
      out.cert = await readFile(join(dir, name), 'utf8');
      out.key = await readFile(join(dir, name.replace(/\.cert$/, '.key')), 'utf8');
    }
  }
  return out;
}
