import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startClickUpSandbox, type ClickUpSandbox } from './server.ts';
import { createClickUpClient, type ClickUpClient } from '../../connectors/clickup/index.ts';

/**
 * The custom field filter of Get Tasks as ClickUp documents it ("Filter tasks using Custom Fields",
 * https://developer.clickup.com/docs/taskfilters): `=` is "contains (fuzzy match)", `==` is the exact
 * match for text fields, `!=` "does not contain" and `!==` "does not exactly match" for text fields.
 */
let sb: ClickUpSandbox;
let cu: ClickUpClient;
let fieldId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sb = await startClickUpSandbox({ rateLimitPerMinute: null });
  cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId });
  fieldId = [...sb.state.fields.values()].find((f) => f.name === 'TG case id')!.id;
  for (const v of ['CASE-1', 'CASE-10', 'case-100', 'OTHER']) {
    const r = await cu.createTask(sb.lists.cases, { name: v, custom_fields: [{ id: fieldId, value: v }] });
    if (!r.ok) throw new Error(r.error.detail);
    ids[v] = r.value.id;
  }
});
afterAll(async () => {
  await cu.close();
  await sb.close();
});

async function filter(operator: string, value: string): Promise<string[]> {
  const q = new URLSearchParams({ custom_fields: JSON.stringify([{ field_id: fieldId, operator, value }]) });
  const r = await request(`${sb.url}/v2/list/${sb.lists.cases}/task?${q.toString()}`, {
    headers: { authorization: sb.token },
  });
  const body = (await r.body.json()) as { tasks: Array<{ name: string }> };
  return body.tasks.map((t) => t.name).sort();
}

describe('ClickUp sandbox: custom field filter operators on a text field', () => {
  it('`=` is "contains" (case-insensitive): CASE-1 matches CASE-10 and case-100', async () => {
    expect(await filter('=', 'CASE-1')).toEqual(['CASE-1', 'CASE-10', 'case-100']);
  });
  it('`==` is the exact match', async () => {
    expect(await filter('==', 'CASE-1')).toEqual(['CASE-1']);
    expect(await filter('==', 'CASE-10')).toEqual(['CASE-10']);
  });
  it('`!=` is "does not contain" and `!==` "is not exactly"', async () => {
    expect(await filter('!=', 'CASE-1')).toEqual(['OTHER']);
    expect(await filter('!==', 'CASE-1')).toEqual(['CASE-10', 'OTHER', 'case-100']);
  });
});

describe('ClickUp client: findTasksByCustomField', () => {
  it('finds only the exact value: CASE-1 does not find the task of CASE-10', async () => {
    const r = await cu.findTasksByCustomField(sb.lists.cases, fieldId, 'CASE-1');
    expect(r.ok && r.value.map((t) => t.id)).toEqual([ids['CASE-1']]);
    const none = await cu.findTasksByCustomField(sb.lists.cases, fieldId, 'CASE-');
    expect(none.ok && none.value).toEqual([]);
  });
});
