import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  constants,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  X509Certificate,
  type KeyObject,
  createPrivateKey,
} from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import forge from 'node-forge';
import { err, ok, type Result } from '../../../../core/result.ts';

/**
 * The CMS (RFC 5652) structures AS2 uses, built and read here: detached SignedData, EnvelopedData with RSA key
 * transport, CompressedData (RFC 3274). node-forge does the DER encoding and the one RSA operation Node no longer
 * offers (PKCS #1 v1.5 decryption, refused by Node 20's OpenSSL since CVE-2023-46809); every other primitive is
 * Node's own crypto.
 */

const A = forge.asn1;
type Node = forge.asn1.Asn1;

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  zlib: '1.2.840.113549.1.9.16.3.8',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

export type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const DIGEST_OID: Record<DigestName, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};
const DIGEST_BY_OID = new Map(Object.entries(DIGEST_OID).map(([k, v]) => [v, k as DigestName]));
/** Signature algorithm OIDs that name their digest (RSA PKCS #1 v1.5 and ECDSA). */
const SIG_ALG_DIGEST = new Map<string, DigestName>([
  ['1.2.840.113549.1.1.5', 'sha1'],
  ['1.2.840.113549.1.1.11', 'sha256'],
  ['1.2.840.113549.1.1.12', 'sha384'],
  ['1.2.840.113549.1.1.13', 'sha512'],
  ['1.2.840.10045.4.1', 'sha1'],
  ['1.2.840.10045.4.3.2', 'sha256'],
  ['1.2.840.10045.4.3.3', 'sha384'],
  ['1.2.840.10045.4.3.4', 'sha512'],
]);

export type ContentCipher = 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc' | 'des-ede3-cbc';
const CIPHERS: Record<ContentCipher, { oid: string; node: string; key: number; iv: number }> = {
  'aes128-cbc': { oid: '2.16.840.1.101.3.4.1.2', node: 'aes-128-cbc', key: 16, iv: 16 },
  'aes192-cbc': { oid: '2.16.840.1.101.3.4.1.22', node: 'aes-192-cbc', key: 24, iv: 16 },
  'aes256-cbc': { oid: '2.16.840.1.101.3.4.1.42', node: 'aes-256-cbc', key: 32, iv: 16 },
  'des-ede3-cbc': { oid: '1.2.840.113549.3.7', node: 'des-ede3-cbc', key: 24, iv: 8 },
};
const CIPHER_BY_OID = new Map(Object.entries(CIPHERS).map(([k, v]) => [v.oid, k as ContentCipher]));

export type KeyTransport = 'rsa-pkcs1' | 'rsa-oaep';

// ---- DER helpers -------------------------------------------------------------------------------------------

const bin = (b: Buffer) => b.toString('binary');
const buf = (s: string) => Buffer.from(s, 'binary');
const seq = (...items: Node[]) => A.create(A.Class.UNIVERSAL, A.Type.SEQUENCE, true, items);
const setOf = (...items: Node[]) => A.create(A.Class.UNIVERSAL, A.Type.SET, true, items);
const oid = (s: string) => A.create(A.Class.UNIVERSAL, A.Type.OID, false, A.oidToDer(s).getBytes());
const octets = (b: Buffer) => A.create(A.Class.UNIVERSAL, A.Type.OCTETSTRING, false, bin(b));
const int = (n: number) => A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, A.integerToDer(n).getBytes());
const nul = () => A.create(A.Class.UNIVERSAL, A.Type.NULL, false, '');
const explicit = (n: number, inner: Node) => A.create(A.Class.CONTEXT_SPECIFIC, n, true, [inner]);
const algId = (o: string, params?: Node) => (params ? seq(oid(o), params) : seq(oid(o)));
export const der = (n: Node): Buffer => buf(A.toDer(n).getBytes());

class CmsError extends Error {}
const fail = (msg: string): never => {
  throw new CmsError(msg);
};

function parseDer(data: Buffer): Node {
  try {
    // Not strict: BER (indefinite lengths, constructed strings) as some senders write it is read too.
    return A.fromDer(bin(data), false);
  } catch (e) {
    return fail(`not a DER/BER structure (${(e as Error).message})`);
  }
}

const children = (n: Node | undefined, what: string): Node[] =>
  n && Array.isArray(n.value) ? n.value : fail(`${what}: expected a constructed value`);
const oidOf = (n: Node | undefined, what: string): string =>
  n?.tagClass === A.Class.UNIVERSAL && (n.type as number) === (A.Type.OID as number) && typeof n.value === 'string'
    ? A.derToOid(n.value)
    : fail(`${what}: expected an OID`);
const isCtx = (n: Node | undefined, tag: number) =>
  n?.tagClass === A.Class.CONTEXT_SPECIFIC && (n.type as number) === tag;

/** An OCTET STRING's bytes, also when BER splits it into a constructed string of pieces. */
function octetBytes(n: Node | undefined, what: string): Buffer {
  if (!n) return fail(`${what}: missing`);
  if (typeof n.value === 'string') return buf(n.value);
  return Buffer.concat(n.value.map((c) => octetBytes(c, what)));
}

/** A ContentInfo's type and its [0] EXPLICIT content. */
function contentInfo(data: Buffer, expected: string, what: string): Node {
  const ci = children(parseDer(data), what);
  const type = oidOf(ci[0], `${what} content type`);
  if (type !== expected) fail(`${what}: content type is ${type}, expected ${expected}`);
  if (!isCtx(ci[1], 0)) fail(`${what}: content missing`);
  return children(ci[1], what)[0] ?? fail(`${what}: content missing`);
}

// ---- certificates and keys -----------------------------------------------------------------------------------

export interface Certificate {
  x509: X509Certificate;
  der: Buffer;
  /** The tbsCertificate's issuer Name and serialNumber, DER: a SignerIdentifier / RecipientIdentifier. */
  issuer: Node;
  serial: Node;
  /** subjectKeyIdentifier when the certificate has one. */
  keyId: Buffer | null;
}

export function loadCertificate(pem: string | Buffer): Result<Certificate> {
  try {
    const x509 = new X509Certificate(pem);
    const raw = x509.raw;
    const tbs = children(children(parseDer(raw), 'certificate')[0], 'tbsCertificate');
    const i = isCtx(tbs[0], 0) ? 1 : 0;
    const serial = tbs[i] ?? fail('certificate: no serial number');
    const issuer = tbs[i + 2] ?? fail('certificate: no issuer');
    let keyId: Buffer | null = null;
    const exts = tbs.find((n) => isCtx(n, 3));
    if (exts) {
      for (const ext of children(children(exts, 'extensions')[0], 'extensions')) {
        const e = children(ext, 'extension');
        if (oidOf(e[0], 'extension id') === '2.5.29.14') {
          keyId = octetBytes(parseDer(octetBytes(e[e.length - 1], 'ski')), 'ski');
        }
      }
    }
    return ok({ x509, der: raw, issuer, serial, keyId });
  } catch (e) {
    return err({
      code: 'as2:certificate',
      retryable: false,
      detail: `not a usable certificate: ${(e as Error).message}`,
    });
  }
}

export function loadPrivateKey(pem: string | Buffer, passphrase?: string): Result<KeyObject> {
  try {
    return ok(createPrivateKey(passphrase !== undefined ? { key: pem, passphrase } : { key: pem }));
  } catch (e) {
    return err({
      code: 'as2:private_key',
      retryable: false,
      detail: `not a usable private key: ${(e as Error).message}`,
    });
  }
}

const issuerAndSerial = (c: Certificate) => seq(c.issuer, c.serial);

/** Whether a SignerIdentifier / RecipientIdentifier names this certificate. */
function identifies(rid: Node | undefined, c: Certificate): boolean {
  if (!rid) return false;
  if (isCtx(rid, 0)) {
    const id = typeof rid.value === 'string' ? buf(rid.value) : octetBytes(children(rid, 'keyid')[0], 'keyid');
    return c.keyId !== null && id.equals(c.keyId);
  }
  return der(rid).equals(der(issuerAndSerial(c)));
}

// ---- digests ---------------------------------------------------------------------------------------------------

export function digest(alg: DigestName, data: Buffer): Buffer {
  return createHash(alg).update(data).digest();
}

/** RFC 5751 micalg names (`sha-256`) and the older spellings (`sha256`, `sha1`). */
export function digestFromMicalg(name: string): DigestName | null {
  const n = name.trim().toLowerCase().replace(/^rsa-/, '');
  const m: Record<string, DigestName> = {
    sha1: 'sha1',
    'sha-1': 'sha1',
    sha256: 'sha256',
    'sha-256': 'sha256',
    sha384: 'sha384',
    'sha-384': 'sha384',
    sha512: 'sha512',
    'sha-512': 'sha512',
  };
  return m[n] ?? null;
}

export const micalgName = (d: DigestName): string => (d === 'sha1' ? 'sha-1' : `sha-${d.slice(3)}`);

// ---- SignedData ------------------------------------------------------------------------------------------------

/** A detached SignedData over `content`, with contentType, signingTime and messageDigest signed attributes. */
export function signDetached(
  content: Buffer,
  cert: Certificate,
  key: KeyObject,
  alg: DigestName = 'sha256',
  now: Date = new Date(),
): Buffer {
  const attr = (o: string, value: Node) => seq(oid(o), setOf(value));
  const attrs = [
    attr(OID.contentType, oid(OID.data)),
    attr(OID.signingTime, A.create(A.Class.UNIVERSAL, A.Type.UTCTIME, false, A.dateToUtcTime(now))),
    attr(OID.messageDigest, octets(digest(alg, content))),
  ]
    .map((a) => ({ a, d: der(a) }))
    .sort((x, y) => Buffer.compare(x.d, y.d))
    .map((x) => x.a);
  const signedAttrs = setOf(...attrs);
  const toSign = der(signedAttrs);
  const signature = cryptoSign(alg, toSign, key);
  const keyType = key.asymmetricKeyType;
  const sigAlg =
    keyType === 'ec'
      ? algId([...SIG_ALG_DIGEST].find(([o, d]) => d === alg && o.startsWith('1.2.840.10045'))![0])
      : algId(OID.rsaEncryption, nul());
  const signerInfo = seq(
    int(1),
    issuerAndSerial(cert),
    algId(DIGEST_OID[alg], nul()),
    A.create(A.Class.CONTEXT_SPECIFIC, 0, true, attrs),
    sigAlg,
    octets(signature),
  );
  const signedData = seq(
    int(1),
    setOf(algId(DIGEST_OID[alg], nul())),
    seq(oid(OID.data)),
    A.create(A.Class.CONTEXT_SPECIFIC, 0, true, [parseDer(cert.der)]),
    setOf(signerInfo),
  );
  return der(seq(oid(OID.signedData), explicit(0, signedData)));
}

export interface Verified {
  /** The digest algorithm the signer used (the MIC of a signed message is computed with the one asked for). */
  digest: DigestName;
  /** The trusted certificate that verified the signature. */
  signer: Certificate;
}

/**
 * Checks a detached SignedData over `content` against the partner's certificates (pinned: the signer must be
 * one of them; certificates the message carries are not trusted). Errors say why in words.
 */
export function verifyDetached(signature: Buffer, content: Buffer, trusted: readonly Certificate[]): Result<Verified> {
  try {
    const sd = children(contentInfo(signature, OID.signedData, 'signature'), 'SignedData');
    const signerInfos = children(sd[sd.length - 1], 'signerInfos');
    const encap = children(sd[2], 'encapContentInfo');
    const data = isCtx(encap[1], 0) ? octetBytes(children(encap[1], 'eContent')[0], 'eContent') : content;
    if (signerInfos.length === 0) return fail('the signature has no signer');
    const problems: string[] = [];
    for (const si of signerInfos) {
      const f = children(si, 'SignerInfo');
      const sid = f[1];
      const alg = DIGEST_BY_OID.get(oidOf(children(f[2], 'digestAlgorithm')[0], 'digest algorithm'));
      if (!alg) {
        problems.push('unsupported digest algorithm');
        continue;
      }
      let i = 3;
      let signedBytes = data;
      if (isCtx(f[3], 0)) {
        const attrs = children(f[3], 'signedAttrs');
        const md = attrs.find((a) => oidOf(children(a, 'attribute')[0], 'attribute type') === OID.messageDigest);
        if (!md) return fail('signed attributes have no message digest');
        const expected = octetBytes(children(children(md, 'attribute')[1], 'attribute values')[0], 'messageDigest');
        const actual = digest(alg, data);
        if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
          return fail('the content does not match the signed message digest (it was changed after signing)');
        signedBytes = der(setOf(...attrs));
        i = 4;
      }
      const sigAlgOid = oidOf(children(f[i], 'signatureAlgorithm')[0], 'signature algorithm');
      if (sigAlgOid === '1.2.840.113549.1.1.10') {
        problems.push('RSASSA-PSS signatures are not supported');
        continue;
      }
      const sig = octetBytes(f[i + 1], 'signature');
      const cert = trusted.find((c) => identifies(sid, c));
      if (!cert) {
        problems.push("signed by a certificate that is not the partner's configured certificate");
        continue;
      }
      const hash = SIG_ALG_DIGEST.get(sigAlgOid) ?? alg;
      if (cryptoVerify(hash, signedBytes, cert.x509.publicKey, sig)) return ok({ digest: alg, signer: cert });
      problems.push("the signature does not verify with the partner's certificate");
    }
    return fail(problems.join('; '));
  } catch (e) {
    return err({ code: 'as2:signature', retryable: false, detail: (e as Error).message });
  }
}

// ---- EnvelopedData ---------------------------------------------------------------------------------------------

/** Encrypts `content` for `recipient` (RSA key transport, PKCS #1 v1.5 or OAEP with SHA-1 as RFC 3560's default). */
export function encrypt(
  content: Buffer,
  recipient: Certificate,
  cipher: ContentCipher = 'aes256-cbc',
  transport: KeyTransport = 'rsa-pkcs1',
): Buffer {
  const c = CIPHERS[cipher];
  const cek = randomBytes(c.key);
  const iv = randomBytes(c.iv);
  const enc = createCipheriv(c.node, cek, iv);
  const encrypted = Buffer.concat([enc.update(content), enc.final()]);
  const encryptedKey = publicEncrypt(
    {
      key: recipient.x509.publicKey,
      padding: transport === 'rsa-oaep' ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING,
      ...(transport === 'rsa-oaep' ? { oaepHash: 'sha1' } : {}),
    },
    cek,
  );
  const ktri = seq(
    int(0),
    issuerAndSerial(recipient),
    transport === 'rsa-oaep' ? algId(OID.rsaesOaep, seq()) : algId(OID.rsaEncryption, nul()),
    octets(encryptedKey),
  );
  const eci = seq(
    oid(OID.data),
    algId(c.oid, octets(iv)),
    A.create(A.Class.CONTEXT_SPECIFIC, 0, false, bin(encrypted)),
  );
  return der(seq(oid(OID.envelopedData), explicit(0, seq(int(0), setOf(ktri), eci))));
}

/** OAEP parameters (RFC 4055): the hash, SHA-1 when absent. */
function oaepHash(params: Node | undefined): string {
  if (!params || !Array.isArray(params.value)) return 'sha1';
  const h = params.value.find((n) => isCtx(n, 0));
  if (!h) return 'sha1';
  const d = DIGEST_BY_OID.get(oidOf(children(children(h, 'hashAlgorithm')[0], 'hash')[0], 'hash'));
  return d ?? fail('unsupported OAEP hash');
}

/**
 * Decrypts an EnvelopedData with our key. A PKCS #1 v1.5 key that fails to unwrap is replaced by one derived from
 * the ciphertext and our key (implicit rejection), so a failed unwrap and a failed content decryption look the
 * same to the sender: the MDN cannot serve as a padding oracle.
 */
export function decrypt(data: Buffer, cert: Certificate, key: KeyObject): Result<Buffer> {
  try {
    const ed = children(contentInfo(data, OID.envelopedData, 'encrypted message'), 'EnvelopedData');
    const hasOriginator = isCtx(ed[1], 0);
    const recipients = children(ed[hasOriginator ? 2 : 1], 'recipientInfos');
    const eci = children(ed[hasOriginator ? 3 : 2], 'encryptedContentInfo');
    const ktris = recipients.filter((r) => r.tagClass === A.Class.UNIVERSAL && r.type === A.Type.SEQUENCE);
    if (ktris.length === 0) return fail('no RSA key-transport recipient (key agreement and KEK are not supported)');
    const mine =
      ktris.find((r) => identifies(children(r, 'recipient')[1], cert)) ?? (ktris.length === 1 ? ktris[0] : undefined);
    if (!mine) return fail('the message is not encrypted for our certificate');
    const f = children(mine, 'KeyTransRecipientInfo');
    const kea = children(f[2], 'keyEncryptionAlgorithm');
    const keaOid = oidOf(kea[0], 'key encryption algorithm');
    const encryptedKey = octetBytes(f[3], 'encrypted key');
    const calg = children(eci[1], 'contentEncryptionAlgorithm');
    const cipherName = CIPHER_BY_OID.get(oidOf(calg[0], 'content encryption algorithm'));
    if (!cipherName) return fail(`unsupported content encryption algorithm ${oidOf(calg[0], 'cea')}`);
    const c = CIPHERS[cipherName];
    const iv = octetBytes(calg[1], 'iv');
    if (!isCtx(eci[2], 0)) return fail('no encrypted content');
    const ciphertext = octetBytes(eci[2], 'encrypted content');
    let cek: Buffer;
    if (keaOid === OID.rsaesOaep) {
      cek = privateDecrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(kea[1]) },
        encryptedKey,
      );
    } else if (keaOid === OID.rsaEncryption) {
      cek = unwrapPkcs1(encryptedKey, key, c.key);
    } else return fail(`unsupported key encryption algorithm ${keaOid}`);
    try {
      const dec = createDecipheriv(c.node, cek, iv);
      return ok(Buffer.concat([dec.update(ciphertext), dec.final()]));
    } catch {
      return fail('decryption failed');
    }
  } catch (e) {
    return err({ code: 'as2:decrypt', retryable: false, detail: (e as Error).message });
  }
}

const forgeKeys = new WeakMap<KeyObject, forge.pki.rsa.PrivateKey>();

function unwrapPkcs1(encryptedKey: Buffer, key: KeyObject, keyLength: number): Buffer {
  let fk = forgeKeys.get(key);
  if (!fk) {
    fk = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
    forgeKeys.set(key, fk);
  }
  let cek: Buffer | null = null;
  try {
    cek = buf(fk.decrypt(bin(encryptedKey), 'RSAES-PKCS1-V1_5'));
  } catch {
    cek = null;
  }
  if (cek && cek.length === keyLength) return cek;
  const secret = key.export({ type: 'pkcs8', format: 'der' });
  // SHA-256 gives 32 bytes, the longest content key we accept.
  return createHmac('sha256', secret).update(encryptedKey).digest().subarray(0, keyLength);
}

// ---- CompressedData (RFC 3274) ---------------------------------------------------------------------------------

export function compress(content: Buffer): Buffer {
  const cd = seq(int(0), algId(OID.zlib), seq(oid(OID.data), explicit(0, octets(deflateSync(content)))));
  return der(seq(oid(OID.compressedData), explicit(0, cd)));
}

/** Inflates a CompressedData, refusing output past `maxBytes` (a small message must not inflate to gigabytes). */
export function decompress(data: Buffer, maxBytes: number): Result<Buffer> {
  try {
    const cd = children(contentInfo(data, OID.compressedData, 'compressed message'), 'CompressedData');
    const alg = oidOf(children(cd[1], 'compressionAlgorithm')[0], 'compression algorithm');
    if (alg !== OID.zlib) return fail(`unsupported compression algorithm ${alg}`);
    const encap = children(cd[2], 'encapContentInfo');
    if (!isCtx(encap[1], 0)) return fail('compressed message has no content');
    const z = octetBytes(children(encap[1], 'eContent')[0], 'eContent');
    try {
      return ok(inflateSync(z, { maxOutputLength: maxBytes }));
    } catch (e) {
      return fail(
        (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
          ? `decompressed content is over the ${maxBytes}-byte limit`
          : `decompression failed: ${(e as Error).message}`,
      );
    }
  } catch (e) {
    return err({ code: 'as2:decompress', retryable: false, detail: (e as Error).message });
  }
}
