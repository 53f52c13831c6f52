import { describe, expect, it } from 'vitest';
import { validateConfig } from './load.ts';
import { effectiveFieldMappings } from './mappingSchema.ts';

const minimal = {
  clickup: { token: { env: 'CU' }, team_id: 't', list_id: 'L1' },
  tradinggrid: {
    driver: 'community',
    base_url: 'https://tg.example',
    tenant_id: 'x',
    client_id: 'c',
    client_secret: { env: 'S' },
    webhook_secret: { env: 'W' },
  },
};

describe('mapping config', () => {
  it('an existing config without a mapping section stays valid; its status map is the status mapping', () => {
    const r = validateConfig({
      ...minimal,
      clickup: {
        ...minimal.clickup,
        status_map: { 'In review': 'in_review', QA: 'in_review', done: 'resolved' },
        status_to_clickup: { in_review: 'QA' },
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const status = effectiveFieldMappings(r.config).find((m) => m.tradinggrid === 'status')!;
    expect(status).toMatchObject({
      origin: 'shorthand',
      direction: 'both',
      owner: 'clickup',
      values: [
        { tradinggrid: 'in_review', clickup: ['QA', 'In review'] },
        { tradinggrid: 'resolved', clickup: ['done'] },
      ],
    });
  });

  it('an explicit status mapping drives status_map, status_to_clickup and sync.status', () => {
    const r = validateConfig({
      ...minimal,
      mapping: {
        fields: [
          {
            tradinggrid: 'status',
            clickup: 'status',
            direction: 'to_tradinggrid',
            owner: 'clickup',
            values: [
              { tradinggrid: 'in_review', clickup: ['Review', 'QA'] },
              { tradinggrid: 'resolved', clickup: 'Done' },
            ],
          },
        ],
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.clickup.status_map).toEqual({ Review: 'in_review', QA: 'in_review', Done: 'resolved' });
    expect(r.config.clickup.status_to_clickup).toEqual({ in_review: 'Review', resolved: 'Done' });
    expect(r.config.sync.status).toEqual({ owner: 'clickup', direction: 'to_tradinggrid' });
  });

  it.each([
    [
      { tradinggrid: 'partner', clickup: { custom_field: 'Partner' }, direction: 'both' },
      'mapping.fields[0].direction',
      'cannot be written by the bridge (the partner is who raised the case',
    ],
    [
      { tradinggrid: 'currency', clickup: { custom_field: 'Currency' }, direction: 'to_tradinggrid' },
      'mapping.fields[0].direction',
      'the currency goes with the value',
    ],
    [
      { tradinggrid: 'value', clickup: 'priority', direction: 'both' },
      'mapping.fields[0].direction',
      'set by the bridge (the SLA and priority decisions) and not read back',
    ],
    [
      { tradinggrid: 'status', clickup: 'status', values: [{ tradinggrid: 'investigating', clickup: 'QA' }] },
      'mapping.fields[0].values[0].tradinggrid',
      'not a partner status',
    ],
    [{ tradinggrid: 'tier', clickup: 'status' }, 'mapping.fields[0].clickup', 'tradinggrid: status'],
    [{ tradinggrid: 'tier', clickup: 'assignee' }, 'mapping.fields[0].clickup', 'clickup must be one of'],
    [{ tradinggrid: 'kind', clickup: 'name' }, 'mapping.fields[0].clickup', "the task's name carries the case title"],
    [
      { tradinggrid: 'title', clickup: 'description' },
      'mapping.fields[0].clickup',
      "the task's description carries the case description",
    ],
  ])('%j is refused at %s', (field, path, message) => {
    const r = validateConfig({ ...minimal, mapping: { fields: [field] } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.find((p) => p.path === path)?.message).toContain(message);
  });

  it.each([
    [{ tradinggrid: 'value', clickup: { custom_field: 'Value' }, direction: 'both' }, 'both'],
    [{ tradinggrid: 'title', clickup: { custom_field: 'Case title' }, direction: 'to_tradinggrid' }, 'to_tradinggrid'],
    [{ tradinggrid: 'kind', clickup: { custom_field: 'Issue type' } }, 'to_clickup'],
    [{ tradinggrid: 'title', clickup: 'name', direction: 'both' }, 'both'],
    [{ tradinggrid: 'description', clickup: 'description', direction: 'to_tradinggrid' }, 'to_tradinggrid'],
    [{ tradinggrid: 'partner', clickup: { custom_field: 'Partner' }, direction: 'none' }, 'none'],
  ])('%j is accepted with direction %s', (field, direction) => {
    const r = validateConfig({ ...minimal, mapping: { fields: [field] } });
    expect(r.ok ? r.config.mapping.fields[0]!.direction : r.problems).toBe(direction);
  });
});
