import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../errors';

/**
 * `OUTBOUND_ALLOW`, parsed: the only way a user-given URL may reach an address the guard refuses.
 * Entries: `host` or `host:port` (a name or an address, as a URL spells it: `localhost:8080`,
 * `127.0.0.1`, `[::1]:9000`), or a CIDR (`10.1.0.0/16`, `fd00::/8`; any port).
 */
export class OutboundAllowList {
  private readonly subnets = new BlockList();
  private readonly hosts: Array<{ host: string; port: string | undefined }> = [];
  readonly entries: readonly string[];

  constructor(entries: readonly string[] = []) {
    this.entries = entries;
    for (const entry of entries) this.add(entry);
  }

  /** Parses the comma-separated variable; throws a `ConfigError` naming a bad entry. */
  static parse(value: string | undefined): OutboundAllowList {
    const entries = (value ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    return new OutboundAllowList(entries);
  }

  private add(entry: string): void {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const [, network, bits] = cidr;
      const family = isIP(network!);
      const prefix = Number(bits);
      if (family === 0 || prefix > (family === 4 ? 32 : 128)) throw bad(entry);
      this.subnets.addSubnet(network!, prefix, family === 4 ? 'ipv4' : 'ipv6');
      return;
    }
    let url: URL;
    try {
      url = new URL(`http://${isIP(entry) === 6 ? `[${entry}]` : entry}/`);
    } catch {
      throw bad(entry);
    }
    if (url.username || url.password || url.pathname !== '/' || !url.hostname) throw bad(entry);
    const explicitPort = /:(\d+)$/.exec(entry)?.[1];
    this.hosts.push({ host: url.hostname, port: explicitPort });
  }

  /**
   * Whether a request to `url` (whose host resolved to `address`) is allowed although the
   * address is refused: its host (as the URL spells it, canonical) and port are listed, or the
   * address is in a listed CIDR.
   */
  allows(url: URL, address: string): boolean {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (
      this.hosts.some((h) => h.host === url.hostname && (h.port === undefined || h.port === port))
    )
      return true;
    const family = isIP(address);
    return family !== 0 && this.subnets.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function bad(entry: string): ConfigError {
  return new ConfigError(
    `Invalid configuration:\n  OUTBOUND_ALLOW: expected comma-separated host[:port] or CIDR entries; received ${JSON.stringify(entry)}`,
    { param: 'OUTBOUND_ALLOW' },
  );
}
