import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Table of migration 007_secrets, kept beside the core schema (reached through `withSecretTables`). */
export interface SecretsTable {
  name: string;
  /** Id of the key that sealed `sealed` (secretBox.ts). */
  key_id: string;
  /** `gb1.<keyId>.<iv>.<ciphertext+tag>`; never the plaintext. */
  sealed: string;
  updated_at: number;
}

export interface SecretTables {
  secrets: SecretsTable;
}

type Db = Kysely<Database> | Transaction<Database>;

/** The same connection, typed to also see the secrets table. */
export function withSecretTables(db: Db): Kysely<Database & SecretTables> {
  return db as unknown as Kysely<Database & SecretTables>;
}
