import { afterEach, describe, expect, it } from 'vitest';
import { startClickUpSandbox, type ClickUpSandbox } from './server.ts';
import { createClickUpClient, type ClickUpClient } from '../../connectors/clickup/index.ts';

let sb: ClickUpSandbox | undefined;
let cu: ClickUpClient | undefined;
afterEach(async () => {
  await cu?.close();
  await sb?.close();
  sb = cu = undefined;
});

async function setup(opts: Parameters<typeof startClickUpSandbox>[0] = {}) {
  sb = await startClickUpSandbox({ rateLimitPerMinute: null, ...opts });
  cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId, retry: { maxAttempts: 1 } });
  return { sb, cu };
}

describe('custom task ids (a ClickApp, off unless the Workspace turns it on)', () => {
  it('are null by default, and a task cannot be found by one', async () => {
    const { sb, cu } = await setup();
    const t = await cu.createTask(sb.lists.cases, { name: 'no custom id' });
    expect(t.ok && t.value.custom_id).toBeNull();
    const byCustom = await cu.getTask({ customId: 'CASE-1' });
    expect(byCustom.ok).toBe(false);
  });

  it('are given when the Workspace has them on', async () => {
    const { sb, cu } = await setup({ customTaskIds: true });
    const t = await cu.createTask(sb.lists.cases, { name: 'with one' });
    expect(t.ok && t.value.custom_id).toMatch(/^CASE-\d+$/);
  });
});

describe('field values ClickUp validates per type (Set Custom Field Value, OpenAPI document)', () => {
  it.each([
    ['Reviewer', { add: [81000002], rem: [] }, true],
    ['Reviewer', [81000002], false],
    ['Reviewer', { add: [99] }, false],
    ['Related tasks', { add: ['86nonexistent'] }, false],
    ['Site', { location: { lat: 52.37, lng: 4.89 }, formatted_address: 'Amsterdam' }, true],
    ['Site', 'Amsterdam', false],
    ['Site', { location: { lat: 123, lng: 4.89 }, formatted_address: 'nowhere' }, false],
    ['Progress', { current: 40 }, true],
    ['Progress', { current: 140 }, false],
    ['Progress', 40, false],
    ['Contact e-mail', 'ops@acme.example', true],
    ['Contact e-mail', 'not an address', false],
    ['Contact phone', '+1 123 456 7890', true],
    ['Contact phone', '123 456 7890', false],
  ])('%s ← %j: accepted %s', async (name, value, accepted) => {
    const { sb, cu } = await setup();
    const t = await cu.createTask(sb.lists.fieldTypes, { name: 'typed' });
    if (!t.ok) throw new Error(t.error.detail);
    const defs = await cu.getListFields(sb.lists.fieldTypes);
    const f = defs.ok ? defs.value.find((x) => x.name === name)! : undefined;
    const r = await cu.setCustomFieldValue(t.value.id, f!.id, value as never);
    expect(r.ok).toBe(accepted);
    if (!r.ok) expect(r.error.status).toBe(400);
  });

  it('a task relationship to an existing task is accepted', async () => {
    const { sb, cu } = await setup();
    const a = await cu.createTask(sb.lists.fieldTypes, { name: 'a' });
    const b = await cu.createTask(sb.lists.fieldTypes, { name: 'b' });
    if (!a.ok || !b.ok) throw new Error('create failed');
    const defs = await cu.getListFields(sb.lists.fieldTypes);
    const f = defs.ok ? defs.value.find((x) => x.name === 'Related tasks')! : undefined;
    expect((await cu.setCustomFieldValue(a.value.id, f!.id, { add: [b.value.id] })).ok).toBe(true);
  });
});
