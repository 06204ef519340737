import { InvalidEventPatternError } from './errors.ts';

/** An IPv4 or IPv6 network, as bigints so both families share one comparison. */
export interface CidrRange {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly maskBits: number;
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR with AWS's error wording. */
export function compileCidr(text: string): CidrRange {
  const parts = text.split('/');
  if (parts.length !== 2) throw new InvalidEventPatternError("Malformed CIDR, one '/' required");
  const [ipText = '', maskText = ''] = parts;
  if (!/^\d+$/.test(maskText)) throw new InvalidEventPatternError('Malformed CIDR, mask bits must be an integer');
  const address = parseIpAddress(ipText);
  if (!address) throw new InvalidEventPatternError(`Nonstandard IP address: ${ipText}`);
  const maskBits = Number(maskText);
  const width = address.version === 4 ? 32 : 128;
  if (maskBits > width) {
    throw new InvalidEventPatternError(`Malformed CIDR, mask bits must be between 0 and ${width}`);
  }
  return { version: address.version, network: address.value >> BigInt(width - maskBits), maskBits };
}

/** Whether the text is an IP address inside the range (non-addresses simply do not match). */
export function matchesCidr(range: CidrRange, text: string): boolean {
  const address = parseIpAddress(text);
  if (!address || address.version !== range.version) return false;
  const width = range.version === 4 ? 32 : 128;
  return address.value >> BigInt(width - range.maskBits) === range.network;
}

/** Parses an IPv4 dotted quad or an IPv6 address (with `::` and an optional trailing dotted quad). */
export function parseIpAddress(text: string): { version: 4 | 6; value: bigint } | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: 4, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    if (!/^\d{1,3}$/.test(octet) || Number(octet) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(octet));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): string[] | undefined => {
    if (half === undefined || half === '') return [];
    const parts = half.split(':');
    const last = parts[parts.length - 1] ?? '';
    if (last.includes('.')) {
      const v4 = parseIpv4(last);
      if (v4 === undefined) return undefined;
      parts.splice(parts.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    return parts;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}
