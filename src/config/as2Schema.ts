import { z } from 'zod';

/** Same shape as schema.ts's SecretRef (this file is imported by mailboxSchema.ts, which schema.ts imports). */
const SecretRef = z
  .union([z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })], {
    error:
      'expected a secret reference {env: NAME} or {file: PATH}; secrets are never written in the config file itself',
  })
  .describe('secret reference: {env: NAME} or {file: PATH}');

/** RFC 4130 §6.2: printable ASCII, 1 to 128 characters; quoted on the wire when it has spaces. */
const As2Id = z
  .string()
  .regex(/^[\x21-\x7e]([\x20-\x7e]{0,126}[\x21-\x7e])?$/, 'an AS2 id is 1 to 128 printable ASCII characters');

const Digest = z.enum(['sha1', 'sha256', 'sha384', 'sha512']);

const As2Partner = z.strictObject({
  /** The partner's AS2 endpoint (where we POST files). */
  url: z.url({ error: 'expected the partner’s AS2 URL such as https://as2.partner.example/as2' }).optional(),
  /** The partner's certificate (PEM): verifies its signatures, encrypts what we send. */
  certificate: SecretRef,
  /** What we require of what the partner sends. */
  require_signed: z.boolean().default(true),
  require_encrypted: z.boolean().default(true),
  /** How we send to the partner. */
  sign: z.boolean().default(true),
  encrypt: z.boolean().default(true),
  compress: z.boolean().default(false),
  digest: Digest.default('sha256'),
  cipher: z.enum(['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'des-ede3-cbc']).default('aes256-cbc'),
  key_transport: z.enum(['rsa-pkcs1', 'rsa-oaep']).default('rsa-pkcs1'),
  /** The MDN we ask for: synchronous (in the HTTP answer) or asynchronous (POSTed to our receipt URL). */
  mdn: z.enum(['sync', 'async']).default('sync'),
  /** With mdn: async, how long a file we sent waits for its MDN before it is a dead letter (replay resends it). */
  mdn_wait_minutes: z.number().positive().default(120),
  /**
   * Asynchronous MDNs to this partner may go to loopback/private addresses (a partner inside the same
   * network); otherwise the SSRF guard refuses them.
   */
  allow_private_addresses: z.boolean().default(false),
  allow_http: z.boolean().default(false),
  /**
   * Sending to this partner: the longest wait for its answer to start and between bytes of it, and for the
   * whole exchange (the synchronous MDN comes in the answer, so a partner that unwraps slowly needs more).
   */
  timeout_ms: z.number().int().positive().default(60_000),
  total_timeout_ms: z.number().int().positive().default(300_000),
});

/**
 * AS2 (RFC 4130) as the mailbox transport: received files land in `inbound` (then the mailbox scan reads them
 * like a folder's), files written to `outbound` are sent to the partner.
 */
export const As2TransportConfig = z.strictObject({
  type: z.literal('as2'),
  /** Local folders: the AS2 route writes received files to inbound; the rest as for a folder transport. */
  inbound: z.string().min(1),
  outbound: z.string().min(1),
  archive: z.string().min(1),
  quarantine: z.string().min(1),
  /** Our AS2 id (the AS2-To partners send to). */
  as2_id: As2Id,
  /** Our certificate and private key (PEM): partners encrypt to it and verify our signatures and MDNs. */
  certificate: SecretRef,
  private_key: SecretRef,
  passphrase: SecretRef.optional(),
  /** The route in the bridge's server partners POST to. */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*$/, 'a path such as /as2')
    .default('/as2'),
  /**
   * Our public URL for asynchronous MDNs partners send back (the Receipt-Delivery-Option we ask for when a
   * partner's `mdn` is async): it must reach `mdn_path` on this bridge.
   */
  receipt_url: z.url().optional(),
  /** The route in the bridge's server that takes asynchronous MDNs for what we sent. */
  mdn_path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*$/, 'a path such as /as2/mdn')
    .default('/as2/mdn'),
  /** Largest message accepted (the body as received, and the file after decompression). */
  max_bytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Partners by their AS2 id. */
  partners: z.record(As2Id, As2Partner).refine((p) => Object.keys(p).length > 0, 'name at least one AS2 partner'),
});
export type As2TransportConfig = z.infer<typeof As2TransportConfig>;
export type As2PartnerConfig = z.infer<typeof As2Partner>;
