import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Field paths pino replaces with "[redacted]" wherever a logged object carries them: tokens, secrets,
 * passwords, authorization headers and cookies, at the top level and one or two levels down.
 */
const SENSITIVE_KEYS = [
  'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'clientSecret', 'client_secret',
  'secret', 'webhookSecret', 'webhook_secret', 'password', 'password_hash', 'apiKey', 'api_key', 'secretKey',
  'authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie', 'x-signature', 'webhook-signature',
];
const quote = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);
export const REDACT_PATHS = [
  ...SENSITIVE_KEYS.map((k) => quote(k).replace(/^\./, '')),
  ...SENSITIVE_KEYS.map((k) => `*${quote(k)}`),
  ...SENSITIVE_KEYS.map((k) => `*.*${quote(k)}`),
  ...['req', 'res', 'request', 'response'].flatMap((o) => ['authorization', 'cookie', 'set-cookie', 'x-signature', 'webhook-signature'].map((h) => `${o}.headers${quote(h)}`)),
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
  if (v instanceof Error) return { type: v.name, message: scrubSecrets(v.message, secrets), stack: v.stack ? scrubSecrets(v.stack, secrets) : undefined };
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, secrets, depth + 1);
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
  const secrets = (o.secrets ?? []).filter((s) => typeof s === 'string' && s.length >= 6);
  const options: pino.LoggerOptions = {
    level: o.level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    ...(secrets.length > 0
      ? {
          hooks: {
            logMethod(args: unknown[], method: (...a: unknown[]) => void) {
              method.apply(this, args.map((a) => scrubValue(a, secrets, 0)));
            },
          },
        }
      : {}),
  };
  return o.destination ? pino(options, o.destination) : pino(options);
}
