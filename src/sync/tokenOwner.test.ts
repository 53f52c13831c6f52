import { describe, expect, it } from 'vitest';
import { MappingSection } from '../config/mappingSchema.ts';
import { tokenOwnerVerdict } from './tokenOwner.ts';

const mapping = (extra: Record<string, unknown> = {}) =>
  MappingSection.parse({
    users: { overrides: { 'case-lead': 'dora@x.example' } },
    assign: [{ users: ['case-lead', 'ben@x.example'] }],
    ...extra,
  });
const me = (email: string, username = 'Someone') => ({ id: 7, username, email });

describe('tokenOwnerVerdict: whose own changes are taken for the bridge echoes', () => {
  it.each([
    [
      'the declared dedicated user',
      me('bot@x.example', 'Bridge Bot'),
      { integration_user: { email: 'Bot@X.example' } },
      'dedicated',
      true,
    ],
    [
      'another user than the declared one',
      me('dora@x.example', 'Dora'),
      { integration_user: { email: 'bot@x.example' } },
      'wrong_user',
      false,
    ],
    ['a person mapping.assign gives cases to, through an alias', me('dora@x.example', 'Dora'), {}, 'person', false],
    ['a person mapping.assign names by e-mail', me('ben@x.example', 'Ben'), {}, 'person', false],
    ['nobody declared, not assigned', me('ann@x.example', 'Ann'), {}, 'undeclared', false],
  ] as const)('%s', (_n, user, extra, kind, ok) => {
    const v = tokenOwnerVerdict(user, mapping(extra));
    expect(v).toMatchObject({ kind, ok });
    if (!ok) expect(v.detail).toMatch(/never reach a partner/);
  });
});
