import { describe, expect, it } from 'vitest';
import { AssigneeResolver } from '../../05-escalation/handlers/assignees.ts';
import type { ClickUpClient } from '../../../connectors/clickup/index.ts';

const members = [
  { id: 11, username: 'Dora', email: 'dora.manager@example.com' },
  { id: 12, username: 'Ana', email: 'ana@example.com' },
];
const client = { listWorkspaceMembers: async () => ({ ok: true, value: members }) } as unknown as ClickUpClient;

describe('escalation assignees resolve through the user map', () => {
  it.each([
    [{ manager: 'dora.manager@example.com' }, { ids: [11], unknown: [] }],
    [
      { manager: 'dora.manager@example.com', assignees: ['ops-lead'] },
      { ids: [11, 12], unknown: [] },
    ],
    [{ manager: 'old.boss@example.com' }, { ids: [11], unknown: [] }],
    [
      { manager: 'dora.manager@example.com', assignees: ['ghost@example.com', 'by-id'] },
      { ids: [11, 12], unknown: ['ghost@example.com'] },
    ],
  ])('%j → %j', async (route, expected) => {
    const r = new AssigneeResolver(client, () => 0, undefined, {
      'ops-lead': 'ana@example.com',
      'Old.Boss@example.com': 'dora.manager@example.com',
      'by-id': 12,
    });
    expect(await r.resolve(route)).toEqual({ ok: true, value: expected });
  });
});
