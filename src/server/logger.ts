import pino, { type DestinationStream, type Logger } from 'pino';
import { registerLogSecrets } from '../core/logSecrets.ts';

export { addLogSecret } from '../core/logSecrets.ts';

/**
 * Field paths pino replaces with "[redacted]" wherever a logged object carries them: tokens, secrets,
 * passwords, authorization headers and cookies, at the top level and one or two levels down.
 */
const SENSITIVE_KEYS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'webhookSecret',
  'webhook_secret',
  'password',
  'password_hash',
  'apiKey',
  'api_key',
  'secretKey',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-signature',
  'webhook-signature',
];
const quote = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);
export const REDACT_PATHS = [
  ...SENSITIVE_KEYS.map((k) => quote(k).replace(/^\./, '')),
  ...SENSITIVE_KEYS.map((k) => `*${quote(k)}`),
  ...SENSITIVE_KEYS.map((k) => `*.*${quote(k)}`),
  ...['req', 'res', 'request', 'response'].flatMap((o) =>
    ['authorization', 'cookie', 'set-cookie', 'x-signature', 'webhook-signature'].map((h) => `${o}.headers${quote(h)}`),
  ),
];

export const REDACTED = '[redacted]';

/** Replace every occurrence of a known secret value in a string (values shorter than 6 characters are ignored). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

function scrubValue(v: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof v === 'string') return scrubSecrets(v, secrets);
  if (depth > 4 || v === null || typeof v !== 'object') return v;
  if (v instanceof Error)
    return {
      type: v.name,
      message: scrubSecrets(v.message, secrets),
      stack: v.stack ? scrubSecrets(v.stack, secrets) : undefined,
    };
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, secrets, depth + 1);
  return out;
}

/** Every secret the config refers to ({env} / {file} references anywhere in it), resolved where possible. */
export function configSecretValues(
  config: unknown,
  resolve: (ref: { env: string } | { file: string }) => string | null,
): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    const keys = Object.keys(v);
    if (
      keys.length === 1 &&
      (keys[0] === 'env' || keys[0] === 'file') &&
      typeof (v as Record<string, unknown>)[keys[0]] === 'string'
    ) {
      const value = resolve(v as { env: string } | { file: string });
      if (value) out.push(value);
      return;
    }
    for (const k of keys) walk((v as Record<string, unknown>)[k], depth + 1);
  };
  walk(config, 0);
  return out;
}

export interface LoggerOptions {
  level: string;
  /** Resolved secret values: also scrubbed from messages and string fields wherever they appear (errors quoting a URL or a header). */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

/** The bridge's logger: pino with sensitive fields redacted by path and known secret values scrubbed. */
export function createLogger(o: LoggerOptions): Logger {
  // One list for the configured and the learned secrets; the hook reads it at each call, so a secret added later applies.
  const secrets = (o.secrets ?? []).filter((s) => typeof s === 'string' && s.length >= 6);
  const options: pino.LoggerOptions = {
    level: o.level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, secrets.length > 0 ? args.map((a) => scrubValue(a, secrets, 0)) : args);
      },
    },
  };
  const logger = o.destination ? pino(options, o.destination) : pino(options);
  registerLogSecrets(logger, secrets);
  return logger;
}
