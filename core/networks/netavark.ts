/**
 * podman's netavark (1.4) as our wiring: the JSON it reads on stdin for `setup`/`teardown`
 * and what `setup` prints. One call handles one network of one container.
 */
import { mkdirSync } from 'node:fs';
import { run } from './exec.js';

export const NETAVARK = '/usr/lib/podman/netavark';
export const AARDVARK = '/usr/lib/podman/aardvark-dns';

export interface NetavarkNetwork {
  name: string;
  id: string;
  driver: 'bridge';
  network_interface: string;
  subnets: { subnet: string; gateway: string; lease_range?: { start_ip: string; end_ip: string } }[];
  ipv6_enabled: boolean;
  internal: boolean;
  dns_enabled: boolean;
  ipam_options: { driver: 'host-local' };
  options?: Record<string, string>;
}

export interface NetavarkPortMapping {
  host_ip: string;
  container_port: number;
  host_port: number;
  range: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

export interface NetavarkInput {
  container_id: string;
  container_name: string;
  networks: Record<string, { interface_name: string; static_ips: string[]; aliases: string[]; static_mac?: string }>;
  network_info: Record<string, NetavarkNetwork>;
  port_mappings: NetavarkPortMapping[];
  /** Upstream servers aardvark-dns uses for this container's lookups of names it does not serve. */
  dns_servers?: string[];
}

export type NetavarkStatus = Record<
  string,
  {
    dns_search_domains?: string[];
    dns_server_ips?: string[];
    interfaces: Record<string, { mac_address: string; subnets?: { gateway?: string; ipnet: string }[] }>;
  }
>;

export class Netavark {
  constructor(
    readonly configDir: string,
    readonly binary = NETAVARK,
    readonly aardvark = AARDVARK,
  ) {}

  private args(cmd: string, netns: string): string[] {
    mkdirSync(this.configDir, { recursive: true, mode: 0o700 });
    return ['--config', this.configDir, '--aardvark-binary', this.aardvark, cmd, netns];
  }

  /**
   * `netavark setup`. netavark creates its shared chains (NETAVARK-HOSTPORT-*, NETAVARK_FORWARD)
   * check-then-create under a lock of its config dir only, so two engines on one host can
   * race on them (`iptables: Chain already exists.`): such a failure is undone and retried.
   */
  async setup(netns: string, input: NetavarkInput): Promise<NetavarkStatus> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { stdout } = await run(this.binary, this.args('setup', netns), { input: JSON.stringify(input) });
        return JSON.parse(stdout) as NetavarkStatus;
      } catch (err) {
        if (attempt >= 3 || !/already exists/i.test((err as Error).message)) throw err;
        await this.teardown(netns, input).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      }
    }
  }

  /**
   * `netavark teardown`. The same host-wide race as setup's (another engine's netavark changing
   * the shared chains meanwhile) can fail it half-way, leaving this endpoint's rules: it is
   * tried again, up to three times in all, and the last failure is thrown.
   */
  async teardown(netns: string, input: NetavarkInput): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await run(this.binary, this.args('teardown', netns), { input: JSON.stringify(input) });
        return;
      } catch (err) {
        if (attempt >= 2) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  }
}
