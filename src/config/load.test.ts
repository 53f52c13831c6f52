import { describe, expect, it } from 'vitest';
import { configJsonSchema, parseConfigText, resolveSecrets } from './load.ts';
import { MINIMAL_CONFIG_YAML } from './minimalConfig.fixture.ts';

// The shared minimal config, with the webhook secret read from a file (the secret-resolution tests need one).
const minimal = MINIMAL_CONFIG_YAML.replace(
  'webhook_secret: { env: TG_WEBHOOK }',
  'webhook_secret: { file: /run/secrets/tg_webhook }',
);

describe('config', () => {
  it('fills defaults for a minimal config', () => {
    const r = parseConfigText(minimal);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.server.port).toBe(8787);
    expect(r.config.store.url).toBe('sqlite:./data/gridbridge.db');
    expect(r.config.clickup.fields.tg_case_id).toBe('TG case id');
    expect(r.config.dispatcher.max_attempts).toBe(10);
    expect(r.config.documents.content_types).toContain('application/pdf');
  });

  it.each([
    [
      'a secret written inline',
      minimal.replace('{ env: CLICKUP_TOKEN }', 'pk_123'),
      'clickup.token',
      /secret reference/,
    ],
    ['a misspelt key', minimal + 'servr: {}\n', '', /unknown key\(s\) 'servr'/],
    [
      'a bad URL',
      minimal.replace('https://tg.example.com/api', 'tg.example.com'),
      'tradinggrid.base_url',
      /absolute URL/,
    ],
    [
      'an unknown driver',
      minimal.replace('driver: community', 'driver: carrier_pigeon'),
      'tradinggrid.driver',
      /community/,
    ],
    ['a port out of range', minimal + 'server: { port: 70000 }\n', 'server.port', /65535/],
    [
      'a missing list id',
      minimal.replace('  list_id: "10"\n', ''),
      'clickup.list_id',
      /expected string, received undefined/,
    ],
  ])('reports %s with its path', (_name, text, path, message) => {
    const r = parseConfigText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const p = r.problems.find((x) => x.path === path);
    expect(p, JSON.stringify(r.problems)).toBeDefined();
    expect(p!.message).toMatch(message);
  });

  it('reports YAML syntax errors with line and column', () => {
    const r = parseConfigText('clickup: [\n', 'gb.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toMatch(/^gb\.yaml:\d+:\d+: YAML syntax/);
  });

  it('resolves secrets from env and files and names what is missing, never the value', () => {
    const r = parseConfigText(minimal);
    if (!r.ok) throw new Error('config should parse');
    const missing = resolveSecrets(r.config, {
      env: {},
      readFile: () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      },
    });
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.problems.map((p) => p.path).sort()).toEqual([
        'clickup.token',
        'tradinggrid.client_secret',
        'tradinggrid.webhook_secret',
      ]);
      expect(missing.problems.find((p) => p.path === 'tradinggrid.webhook_secret')!.message).toMatch(/ENOENT/);
    }
    const good = resolveSecrets(r.config, {
      env: { CLICKUP_TOKEN: 'pk_1', TG_SECRET: 's' },
      readFile: () => 'whsec_abc\n',
    });
    expect(good.ok && good.secrets.tgWebhookSecret).toBe('whsec_abc');
  });

  it('exports a JSON Schema with the top-level sections', () => {
    const s = configJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['clickup', 'tradinggrid', 'store', 'server']));
  });
});

describe('gridbridge.example.yaml', () => {
  it('is a valid config (kept true by this test)', async () => {
    const { loadConfigFile } = await import('./load.ts');
    const r = loadConfigFile(new URL('../../gridbridge.example.yaml', import.meta.url).pathname);
    expect(r.ok ? [] : r.problems).toEqual([]);
  });
});
