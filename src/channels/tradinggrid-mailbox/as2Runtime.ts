import { err, ok, type Result } from '../../core/result.ts';
import { resolveSecret, type SecretSource } from '../../config/load.ts';
import type { As2TransportConfig } from '../../config/as2Schema.ts';
import { loadCertificate, loadPrivateKey } from '../../connectors/tradinggrid/mailbox/as2/cms.ts';
import type { As2Partner, As2Setup } from '../../connectors/tradinggrid/mailbox/as2/receive.ts';

/**
 * The AS2 transport's identities from config: our certificate and key, each partner's certificate, resolved from
 * their secret references and parsed. Errors name the config path (`mailbox.transport.partners.X.certificate`).
 */
export function loadAs2Setup(t: As2TransportConfig, path = 'mailbox.transport', src?: SecretSource): Result<As2Setup> {
  const secret = (ref: As2TransportConfig['certificate'], at: string): Result<string> => {
    const r = resolveSecret(ref, at, src);
    return r.ok
      ? ok(r.value)
      : err({ code: 'config:secret', retryable: false, detail: `${r.problem.path}: ${r.problem.message}` });
  };
  const at = (p: string, e: { detail: string }) =>
    err({ code: 'config:as2', retryable: false, detail: `${path}.${p}: ${e.detail}` });
  const certPem = secret(t.certificate, `${path}.certificate`);
  if (!certPem.ok) return certPem;
  const cert = loadCertificate(certPem.value);
  if (!cert.ok) return at('certificate', cert.error);
  const keyPem = secret(t.private_key, `${path}.private_key`);
  if (!keyPem.ok) return keyPem;
  let passphrase: string | undefined;
  if (t.passphrase) {
    const p = secret(t.passphrase, `${path}.passphrase`);
    if (!p.ok) return p;
    passphrase = p.value;
  }
  const key = loadPrivateKey(keyPem.value, passphrase);
  if (!key.ok) return at('private_key', key.error);
  if (key.value.asymmetricKeyType !== 'rsa')
    return at('private_key', { detail: `an RSA key is needed (got ${key.value.asymmetricKeyType ?? 'unknown'})` });
  const partners = new Map<string, As2Partner>();
  for (const [id, p] of Object.entries(t.partners)) {
    const pem = secret(p.certificate, `${path}.partners.${id}.certificate`);
    if (!pem.ok) return pem;
    const c = loadCertificate(pem.value);
    if (!c.ok) return at(`partners.${id}.certificate`, c.error);
    partners.set(id, {
      id,
      ...(p.url ? { url: p.url } : {}),
      certs: [c.value],
      requireSigned: p.require_signed,
      requireEncrypted: p.require_encrypted,
      sign: p.sign,
      encrypt: p.encrypt,
      compress: p.compress,
      digest: p.digest,
      cipher: p.cipher,
      keyTransport: p.key_transport,
      mdn: p.mdn,
      mdnWaitMs: p.mdn_wait_minutes * 60_000,
      allowPrivateAddresses: p.allow_private_addresses,
      allowHttp: p.allow_http,
      timeoutMs: p.timeout_ms,
      totalTimeoutMs: p.total_timeout_ms,
    });
  }
  return ok({
    ourId: t.as2_id,
    us: { cert: cert.value, key: key.value },
    partners,
    maxBytes: t.max_bytes,
    ...(t.receipt_url ? { receiptUrl: t.receipt_url } : {}),
  });
}
