import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { GridbridgeConfig, type SecretRef } from './schema.ts';
import { applyStatusMapping } from './mappingSchema.ts';

export interface ConfigProblem {
  /** Dotted path into the config, e.g. `clickup.token` (empty for the file as a whole). */
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: GridbridgeConfig } | { ok: false; problems: ConfigProblem[] };

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Every zod issue as one line: where, and what was expected (unions report each branch once). */
export function problemsFromZod(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((i) => {
    let message = i.message;
    if (i.code === 'unrecognized_keys')
      message = `unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')} (check the spelling; see \`gridbridge config schema\`)`;
    return { path: formatPath(i.path), message };
  });
}

/** Validate an already-parsed config object. */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = GridbridgeConfig.safeParse(raw);
  if (parsed.success) return { ok: true, config: applyStatusMapping(parsed.data) };
  return { ok: false, problems: problemsFromZod(parsed.error) };
}

/** Parse YAML text; syntax errors are reported with line and column. */
export function parseConfigText(text: string, source = 'config'): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '',
        message: `${source}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  let raw: unknown;
  try {
    // toJS throws on an unresolved alias or an alias bomb (yaml's maxAliasCount): report it, never throw.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, problems: [{ path: '', message: `${source}: YAML: ${(e as Error).message.split('\n')[0]}` }] };
  }
  return validateConfig(raw ?? {});
}

export function loadConfigFile(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ path: '', message: `cannot read config file ${path}: ${(e as Error).message}` }] };
  }
  return parseConfigText(text, path);
}

export interface SecretSource {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

const defaultSource: SecretSource = { env: process.env, readFile: (p) => readFileSync(p, 'utf8') };

/** Resolve one secret reference; the problem names the config path and the env var or file, never the value. */
export function resolveSecret(
  ref: SecretRef,
  path: string,
  src: SecretSource = defaultSource,
): { ok: true; value: string } | { ok: false; problem: ConfigProblem } {
  if ('env' in ref) {
    const v = src.env[ref.env];
    if (v === undefined || v === '')
      return { ok: false, problem: { path, message: `environment variable ${ref.env} is not set` } };
    return { ok: true, value: v };
  }
  try {
    const v = src.readFile(ref.file).replace(/\r?\n$/, '');
    if (v === '') return { ok: false, problem: { path, message: `secret file ${ref.file} is empty` } };
    return { ok: true, value: v };
  } catch (e) {
    return {
      ok: false,
      problem: {
        path,
        message: `cannot read secret file ${ref.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      },
    };
  }
}

export interface ResolvedSecrets {
  clickupToken: string;
  clickupWebhookSecret: string | null;
  /** Null when the deployment has no community endpoint (tradinggrid.driver mailbox). */
  tgClientSecret: string | null;
  tgWebhookSecret: string | null;
}

export function resolveSecrets(
  config: GridbridgeConfig,
  src: SecretSource = defaultSource,
): { ok: true; secrets: ResolvedSecrets } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const get = (ref: SecretRef | undefined, path: string): string | null => {
    if (!ref) return null;
    const r = resolveSecret(ref, path, src);
    if (!r.ok) {
      problems.push(r.problem);
      return null;
    }
    return r.value;
  };
  const clickupToken = get(config.clickup.token, 'clickup.token');
  const clickupWebhookSecret = get(config.clickup.webhook.secret, 'clickup.webhook.secret');
  const tg = config.tradinggrid.driver === 'community' ? config.tradinggrid : null;
  const tgClientSecret = tg ? get(tg.client_secret, 'tradinggrid.client_secret') : null;
  const tgWebhookSecret = tg ? get(tg.webhook_secret, 'tradinggrid.webhook_secret') : null;
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, secrets: { clickupToken: clickupToken!, clickupWebhookSecret, tgClientSecret, tgWebhookSecret } };
}

/** JSON Schema of the config file, for editor completion. */
export function configJsonSchema(): object {
  return z.toJSONSchema(GridbridgeConfig, { io: 'input', unrepresentable: 'any' });
}
