/**
 * The files Docker writes for each container and bind-mounts into it: `/etc/hostname`,
 * `/etc/hosts` and `/etc/resolv.conf`, in the container's own directory.
 *
 * With `host` networking the host's own hosts and resolv.conf are copied, as Docker does;
 * otherwise `/etc/hosts` holds Docker's loopback lines and a line for each of the container's
 * addresses, and resolv.conf the host's name servers (without loopback ones, which a container
 * cannot reach; Google's as Docker's fallback when none remain) or, on a user-defined
 * network, the network's resolver (`127.0.0.11`, which forwards other names to the host's).
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface ContainerFiles {
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
}

export interface FileInputs {
  hostname: string;
  domainname?: string;
  networkMode: string;
  /** `--add-host` entries: `name:ip`. */
  extraHosts?: string[] | null;
  dns?: string[] | null;
  dnsSearch?: string[] | null;
  dnsOptions?: string[] | null;
  /** The container's addresses on its networks: `<ip>\t<hostname>` lines in /etc/hosts. */
  addresses?: string[];
  /** The resolver of a user-defined network: replaces the host's name servers. */
  internalDns?: { nameservers: string[]; search: string[]; options: string[] };
}

const defaultHosts = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::\tip6-localnet',
  'ff00::\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

const fallbackNameservers = ['8.8.8.8', '8.8.4.4'];

export async function writeContainerFiles(files: ContainerFiles, input: FileInputs, hostResolvConf = '/etc/resolv.conf'): Promise<void> {
  const host = input.networkMode === 'host';
  await writeFile(files.hostnamePath, `${host ? (await readFile('/etc/hostname', 'utf8').catch(() => input.hostname + '\n')).trim() : input.hostname}\n`);
  await writeFile(files.hostsPath, hostsFile(input, host ? await readFile('/etc/hosts', 'utf8').catch(() => undefined) : undefined));
  const hostConf = await readFile(hostResolvConf, 'utf8').catch(() => '');
  await writeFile(files.resolvConfPath, resolvConf(hostConf, input, host));
}

export function hostsFile(input: FileInputs, hostHosts?: string): string {
  const lines = hostHosts === undefined ? [...defaultHosts] : [hostHosts.replace(/\n+$/, '')];
  for (const entry of input.extraHosts ?? []) {
    const at = entry.indexOf(':');
    if (at > 0) lines.push(`${entry.slice(at + 1)}\t${entry.slice(0, at)}`);
  }
  const names = input.domainname ? `${input.hostname}.${input.domainname} ${input.hostname}` : input.hostname;
  if (hostHosts === undefined) for (const ip of input.addresses ?? []) lines.push(`${ip}\t${names}`);
  return `${lines.join('\n')}\n`;
}

/** The container's resolv.conf from the host's and the container's DNS options, as Docker builds it. */
export function resolvConf(hostConf: string, input: FileInputs, hostNetwork: boolean): string {
  const lines = hostConf.split('\n');
  const hostServers = lines.map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => s !== undefined);
  const hostSearch = lines.map((l) => /^\s*search\s+(.+)$/.exec(l)?.[1]?.trim()).filter((s): s is string => !!s).pop();
  const hostOptions = lines.map((l) => /^\s*options\s+(.+)$/.exec(l)?.[1]?.trim()).filter((s): s is string => !!s).pop();
  const internal = input.internalDns;
  let servers = internal ? internal.nameservers : input.dns?.length ? input.dns : hostNetwork ? hostServers : hostServers.filter((s) => !isLoopback(s));
  if (servers.length === 0) servers = fallbackNameservers;
  const search = input.dnsSearch?.length ? input.dnsSearch.join(' ') : internal?.search.length ? internal.search.join(' ') : hostSearch;
  const options = input.dnsOptions?.length ? input.dnsOptions.join(' ') : internal ? [...internal.options, ...(hostOptions ? [hostOptions] : [])].join(' ') : hostOptions;
  const out = servers.map((s) => `nameserver ${s}`);
  if (search && search !== '.') out.push(`search ${search}`);
  if (options) out.push(`options ${options}`);
  return `${out.join('\n')}\n`;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
