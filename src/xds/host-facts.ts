/** The host's name and non-loopback addresses (the edge around the pure node builder). */
import { hostname, networkInterfaces } from 'node:os';
import type { HostFacts } from './node-metadata.js';

export function detectHost(): HostFacts {
  const addresses: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // Link-local IPv6 needs a scope and is not routable; istiod would get an unusable address.
      if (!a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) addresses.push(a.address);
    }
  }
  return { hostname: hostname(), addresses };
}
