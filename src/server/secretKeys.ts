import type { GridbridgeConfig } from '../config/schema.ts';
import { resolveSecret, type ConfigProblem, type SecretSource } from '../config/load.ts';
import { createSecretBox, parseSecretKey, type SecretBox } from '../store/secretBox.ts';

export const SECRET_KEY_ENV = 'GRIDBRIDGE_SECRET_KEY';

/**
 * The box sealing stored secrets, from `secrets.key` (or env GRIDBRIDGE_SECRET_KEY) plus
 * `secrets.previous_keys`. `box: null` when no key is configured at all (learned secrets then stay in
 * memory). Problems name the config path or variable, never a key.
 */
export function resolveSecretBox(
  config: Pick<GridbridgeConfig, 'secrets'>,
  src?: SecretSource,
): { ok: true; box: SecretBox | null } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const env = src?.env ?? process.env;
  const section = config.secrets ?? { previous_keys: [] };
  const load = (ref: { env: string } | { file: string }, path: string): Buffer | null => {
    const r = resolveSecret(ref, path, src);
    if (!r.ok) {
      problems.push(r.problem);
      return null;
    }
    const k = parseSecretKey(r.value);
    if (!k.ok) {
      problems.push({ path, message: k.reason });
      return null;
    }
    return k.key;
  };
  let current: Buffer | null = null;
  if (section.key) current = load(section.key, 'secrets.key');
  else if (env[SECRET_KEY_ENV]) current = load({ env: SECRET_KEY_ENV }, `env ${SECRET_KEY_ENV}`);
  const previous = section.previous_keys
    .map((ref, i) => load(ref, `secrets.previous_keys[${i}]`))
    .filter((k): k is Buffer => k !== null);
  if (problems.length > 0) return { ok: false, problems };
  if (!current) {
    if (previous.length > 0)
      return {
        ok: false,
        problems: [
          {
            path: 'secrets.key',
            message: `previous_keys are set but no current key (secrets.key or env ${SECRET_KEY_ENV})`,
          },
        ],
      };
    return { ok: true, box: null };
  }
  return { ok: true, box: createSecretBox(current, previous) };
}
