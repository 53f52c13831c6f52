import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress, PEER_HEADER, PEER_TOKEN_HEADER, trustPeerToken } from './peerAddress.ts';

const app = new Hono();
app.get('/who', (c) => c.text(clientAddress(c)));
const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const ask = async (headers: Record<string, string>) => (await app.request('/who', { headers }, env)).text();

describe('clientAddress', () => {
  it('is the socket address unless the intake thread names the peer with a trusted token', async () => {
    expect(await ask({})).toBe('127.0.0.1');
    // A client cannot pick its own address: the header without a registered token is ignored.
    expect(await ask({ [PEER_HEADER]: '203.0.113.9' })).toBe('127.0.0.1');
    expect(await ask({ [PEER_HEADER]: '203.0.113.9', [PEER_TOKEN_HEADER]: 'guessed' })).toBe('127.0.0.1');
    const untrust = trustPeerToken('tok-1');
    expect(await ask({ [PEER_HEADER]: '203.0.113.9', [PEER_TOKEN_HEADER]: 'tok-1' })).toBe('203.0.113.9');
    untrust();
    expect(await ask({ [PEER_HEADER]: '203.0.113.9', [PEER_TOKEN_HEADER]: 'tok-1' })).toBe('127.0.0.1');
  });
});
