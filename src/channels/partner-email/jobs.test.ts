import { describe, expect, it } from 'vitest';
import { partnerEmailJobs } from './jobs.ts';

// Payloads as they are stored today: the outbox (one message, a digest) and the partner pages (an action).
const stored: Array<[keyof typeof partnerEmailJobs, unknown]> = [
  ['partner.email', { key: 'case.received:C-1:ana@acme.example' }],
  ['partner.digest', { key: 'digest:P-1:ana@acme.example:29941' }],
  ['partner.action', { id: 'jti-1:comment:1' }],
];

const refused: Array<[keyof typeof partnerEmailJobs, unknown, RegExp]> = [
  ['partner.email', {}, /key/],
  ['partner.digest', { key: 7 }, /key/],
  ['partner.action', { key: 'x' }, /id/],
];

describe('the partner e-mail channel job kinds', () => {
  it.each(stored)('a stored %s payload parses to what was stored', (kind, payload) => {
    const r = partnerEmailJobs[kind].safeParse(payload);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(payload);
  });

  it.each(refused)('a %s payload missing or mistyping a field does not parse', (kind, payload, path) => {
    const r = partnerEmailJobs[kind].safeParse(payload);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).join(' ')).toMatch(path);
  });
});
