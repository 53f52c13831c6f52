import { describe, expect, it } from 'vitest';
import { blockedAddressReason, hostAllowed } from './ssrfGuard.ts';

describe('IPv6 forms that reach a private IPv4 address are refused', () => {
  it.each([
    ['::7f00:1', 'IPv4-compatible loopback in hex'],
    ['::127.0.0.1', 'IPv4-compatible loopback dotted'],
    ['::a9fe:a9fe', 'IPv4-compatible cloud metadata'],
    ['::2', 'IPv4-compatible 0.0.0.2 (not :: or ::1, still "this network")'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated (SIIT) loopback'],
    ['::ffff:0:a00:1', 'IPv4-translated 10.0.0.1 in hex'],
    ['::ffff:7f00:1', 'mapped loopback in hex'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b::127.0.0.1', 'NAT64 of loopback, dotted with a three-digit first octet'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64, whatever it embeds'],
    ['64:ff9b:1:ffff::1', 'local-use NAT64 /48'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001::1', 'Teredo prefix'],
  ])('%s (%s)', (addr) => expect(blockedAddressReason(addr)).not.toBeNull());

  // Each of these has one part of an embedding form and not the rest: a rule read too loosely would refuse it.
  it.each([
    ['2606:4700::6810:84e5', 'a public IPv6 address'],
    ['2002:808:808::1', '6to4 of a public address'],
    ['64:ff9b::808:808', 'NAT64 of a public address'],
    ['64:ff9b::198.100.100.100', 'NAT64 of a public address written with three-digit octets'],
    ['::ffff:8.8.8.8', 'mapped public'],
    ['8.8.8.8', 'public IPv4'],
    ['::1:7f00:1', 'zeros then 1, not ffff, before a loopback-looking tail'],
    ['2606:4700::ffff:7f00:1', 'ffff in the mapped position after a non-zero prefix'],
    ['::1:0:7f00:1', 'SIIT shape with 1 instead of ffff'],
    ['::ffff:1:7f00:1', 'SIIT shape with 1 instead of 0 after ffff'],
    ['2606::ffff:0:7f00:1', 'SIIT shape after a non-zero prefix'],
    ['64:1::7f00:1', 'NAT64 shape with the wrong second group'],
    ['65:ff9b::7f00:1', 'NAT64 shape with the wrong first group'],
    ['64:ff9b:2::7f00:1', 'NAT64 prefix, non-zero middle, outside the local-use /48'],
    ['2606:a00::1', 'a 6to4 shape (10.0.x.x in groups 2–3) under another prefix'],
    ['[2606:4700::1111]', 'a public address in brackets'],
    ['2606:4700::1111%eth0', 'a public address with a zone'],
  ])('%s (%s) is allowed', (addr) => expect(blockedAddressReason(addr)).toBeNull());

  it.each([
    ['8.8.]8.8', 'a bracket inside'],
    ['8.8.[8.8', 'an opening bracket inside'],
  ])('%s (%s) is not an address', (addr) => expect(blockedAddressReason(addr)).toBe(`${addr} is not an IP address`));

  it('says why', () => {
    expect(blockedAddressReason('10.0.0.1')).toBe(
      '10.0.0.1 is a loopback, link-local, private, multicast or reserved IPv4 address',
    );
    expect(blockedAddressReason('[fe80::1%eth0]')).toBe(
      'fe80::1 is a loopback, link-local, unique-local, multicast, unspecified or tunnelling IPv6 address',
    );
    expect(blockedAddressReason('2002:7f00:1::1')).toBe('2002:7f00:1::1 embeds the non-public IPv4 address 127.0.0.1');
    expect(blockedAddressReason('host.example')).toBe('host.example is not an IP address');
  });
});

describe('hostAllowed', () => {
  it.each([
    ['xttachments.clickup.com', ['attachments.clickup.com'], false],
    ['.clickup-attachments.com', ['*.clickup-attachments.com'], false],
    ['a.clickup-attachments.com', ['*.clickup-attachments.com'], true],
    ['files.test', ['other.test', 'FILES.test'], true],
  ])('host %s on %j is allowed: %s', (host, list, allowed) => expect(hostAllowed(host, list)).toBe(allowed));
});
