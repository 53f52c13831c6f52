import { z } from 'zod';

const KeyRef = z.union(
  [
    z.strictObject({ env: z.string().min(1).describe('environment variable holding the key') }),
    z.strictObject({ file: z.string().min(1).describe('path of a file holding the key') }),
  ],
  { error: 'expected a key reference {env: NAME} or {file: PATH}; the key is never written in the config file itself' },
);

/**
 * The key that seals secrets kept in the store (AES-256-GCM, 64 hex digits or 44 base64
 * characters; `gridbridge secrets generate-key`). Without `key`, GRIDBRIDGE_SECRET_KEY is read; without
 * either, nothing is stored and learned secrets stay in memory only.
 */
export const SecretsSection = z
  .strictObject({
    key: KeyRef.optional().describe('key sealing stored secrets (default: env GRIDBRIDGE_SECRET_KEY)'),
    /** Keys of earlier rotations, still accepted for reading until `gridbridge secrets rotate-key` has run. */
    previous_keys: z.array(KeyRef).default([]),
  })
  .prefault({});
export type SecretsSection = z.infer<typeof SecretsSection>;

/** Per-source webhook body limits (bytes); a source not named uses server.body_limit_bytes. */
export const BodyLimitsBySource = z
  .strictObject({
    tradinggrid: z.number().int().positive().optional(),
    clickup: z.number().int().positive().optional(),
  })
  .prefault({});
