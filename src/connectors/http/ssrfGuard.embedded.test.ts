import { describe, expect, it } from 'vitest';
import { blockedAddressReason } from './ssrfGuard.ts';

describe('IPv6 forms that reach a private IPv4 address are refused', () => {
  it.each([
    ['::7f00:1', 'IPv4-compatible loopback in hex'],
    ['::127.0.0.1', 'IPv4-compatible loopback dotted'],
    ['::a9fe:a9fe', 'IPv4-compatible cloud metadata'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated (SIIT) loopback'],
    ['::ffff:0:a00:1', 'IPv4-translated 10.0.0.1 in hex'],
    ['::ffff:7f00:1', 'mapped loopback in hex'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64, whatever it embeds'],
    ['64:ff9b:1:ffff::1', 'local-use NAT64 /48'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001::1', 'Teredo prefix'],
  ])('%s (%s)', (addr) => expect(blockedAddressReason(addr)).not.toBeNull());

  it.each([
    ['2606:4700::6810:84e5', 'a public IPv6 address'],
    ['2002:808:808::1', '6to4 of a public address'],
    ['64:ff9b::808:808', 'NAT64 of a public address'],
    ['::ffff:8.8.8.8', 'mapped public'],
    ['8.8.8.8', 'public IPv4'],
  ])('%s (%s) is allowed', (addr) => expect(blockedAddressReason(addr)).toBeNull());
});
