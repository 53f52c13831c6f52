import { err, ok, type Result } from '../../core/result.ts';
import { BusinessCalendar, type ParsedBusinessCalendarConfig } from '../../core/calendar/index.ts';
import { resolveSecret, type SecretSource } from '../../config/load.ts';
import type { MailboxConfig, MailboxTransportConfig } from '../../config/mailboxSchema.ts';
import { LocalFolderTransport } from '../../connectors/tradinggrid/mailbox/localFolderTransport.ts';
import { SftpTransport } from '../../connectors/tradinggrid/mailbox/sftpTransport.ts';
import type { MailboxTransport } from '../../connectors/tradinggrid/mailbox/transport.ts';
import {
  MailboxDriver,
  type MailboxDriverOptions,
  type PartnerWindows,
} from '../../connectors/tradinggrid/mailbox/mailboxDriver.ts';
import type { SyncContext } from '../../sync/context.ts';
import { SqlMailboxState } from './sqlMailboxState.ts';

/**
 * The mailbox's files for its transport config: AS2 keeps its files in local folders (the AS2 route writes
 * what partners send into `inbound`), so for the mailbox it is a folder transport.
 */
export function mailboxFilesTransport(t: MailboxConfig['transport']): MailboxTransportConfig {
  return t.type === 'as2'
    ? { type: 'folder', inbound: t.inbound, outbound: t.outbound, archive: t.archive, quarantine: t.quarantine }
    : t;
}

/** A transport for a `transport:` config section; SFTP secrets are resolved here (never logged). */
export async function openTransport(
  t: MailboxTransportConfig,
  path: string,
  src?: SecretSource,
): Promise<Result<MailboxTransport>> {
  if (t.type === 'folder') {
    const transport = new LocalFolderTransport({
      inbound: t.inbound,
      outbound: t.outbound,
      archive: t.archive,
      quarantine: t.quarantine,
    });
    try {
      await transport.ensureFolders();
    } catch (e) {
      return err({
        code: 'mailbox:folders',
        retryable: true,
        detail: `creating the mailbox folders: ${(e as Error).message}`,
      });
    }
    return ok(transport);
  }
  const secret = (ref: typeof t.password, key: string): Result<string | undefined> => {
    if (ref === undefined) return ok(undefined);
    const r = resolveSecret(ref, `${path}.${key}`, src);
    return r.ok
      ? ok(r.value)
      : err({ code: 'config:secret', retryable: false, detail: `${r.problem.path}: ${r.problem.message}` });
  };
  const password = secret(t.password, 'password');
  if (!password.ok) return password;
  const privateKey = secret(t.private_key, 'private_key');
  if (!privateKey.ok) return privateKey;
  const passphrase = secret(t.passphrase, 'passphrase');
  if (!passphrase.ok) return passphrase;
  return ok(
    new SftpTransport({
      host: t.host,
      port: t.port,
      username: t.username,
      hostKeySha256: t.host_key_sha256,
      folders: t.folders,
      readyTimeoutMs: t.ready_timeout_ms,
      operationTimeoutMs: t.operation_timeout_ms,
      keepaliveMs: t.keepalive_ms,
      ...(password.value !== undefined ? { password: password.value } : {}),
      ...(privateKey.value !== undefined ? { privateKey: privateKey.value } : {}),
      ...(passphrase.value !== undefined ? { passphrase: passphrase.value } : {}),
    }),
  );
}

const calendars = new WeakMap<object, BusinessCalendar>();

/**
 * `(from, hours) → due` in business hours: mailbox.calendar when set, else the bridge's business calendar
 * (top-level `calendar`, the SLA one) when the config has one; plain hours otherwise.
 */
export function mailboxDeadline(
  cfg: MailboxConfig,
  bridgeCalendar?: ParsedBusinessCalendarConfig,
): MailboxDriverOptions['deadline'] {
  const calCfg = cfg.calendar ?? bridgeCalendar;
  if (!calCfg) return undefined;
  let cal = calendars.get(calCfg);
  if (!cal) {
    cal = new BusinessCalendar(calCfg);
    calendars.set(calCfg, cal);
  }
  const c = cal;
  return (from, hours) => c.addBusinessHours(from, hours);
}

/** EDI address → windows, in the driver's terms. */
function partnerWindows(cfg: MailboxConfig): Record<string, PartnerWindows> {
  return Object.fromEntries(
    Object.entries(cfg.partners).map(([address, p]) => [
      address,
      {
        ...(p.fa_hours !== undefined ? { faWindowHours: p.fa_hours } : {}),
        ...(p.fa_hours_by_set ? { faHoursBySet: p.fa_hours_by_set } : {}),
        ...(p.asn_hours !== undefined ? { asnWindowHours: p.asn_hours } : {}),
      },
    ]),
  );
}

const party = (address: string) => {
  const i = address.indexOf(':');
  return { qualifier: address.slice(0, i), id: address.slice(i + 1) };
};

/** The mailbox driver for the configured mailbox, on the store-backed state. The caller closes it. */
export async function openMailboxDriver(
  ctx: SyncContext,
  cfg: MailboxConfig,
  deliver?: MailboxDriverOptions['deliver'],
  acknowledge?: MailboxDriverOptions['acknowledge'],
): Promise<Result<MailboxDriver>> {
  const transport = await openTransport(mailboxFilesTransport(cfg.transport), 'mailbox.transport');
  if (!transport.ok) return transport;
  // The top-level calendar section is read loosely: it belongs to the SLA config and may be absent.
  const deadline = mailboxDeadline(cfg, (ctx.config as { calendar?: ParsedBusinessCalendarConfig }).calendar);
  return ok(
    new MailboxDriver({
      transport: transport.value,
      state: new SqlMailboxState(ctx.store.db, cfg.name, ctx.now),
      name: cfg.name,
      ourIds: cfg.our_ids.map(party),
      defaults: {
        faWindowHours: cfg.defaults.fa_hours,
        asnWindowHours: cfg.defaults.asn_hours,
        ...(cfg.defaults.fa_hours_by_set ? { faHoursBySet: cfg.defaults.fa_hours_by_set } : {}),
      },
      partners: partnerWindows(cfg),
      settleMs: cfg.settle_seconds * 1000,
      priceTolerance: cfg.price_tolerance,
      x12Encoding: cfg.x12_encoding,
      acceptMissingFinalTerminator: cfg.accept_missing_final_terminator,
      maxBytes: cfg.max_bytes,
      testInterchanges: cfg.test_interchanges === 'ignore' ? 'ignore' : 'mark',
      logger: ctx.logger,
      ...(deadline ? { deadline } : {}),
      ...(cfg.inactive_after_hours !== undefined ? { inactiveAfterHours: cfg.inactive_after_hours } : {}),
      ...(deliver ? { deliver } : {}),
      ...(acknowledge ? { acknowledge } : {}),
    }),
  );
}

/** A read-only view of the customer's sent folder: the mailbox's transport with that folder as "inbound". */
export async function openSentTransport(
  cfg: MailboxConfig,
  src?: SecretSource,
): Promise<Result<MailboxTransport> | null> {
  if (!cfg.sent) return null;
  const t = mailboxFilesTransport(cfg.transport);
  // No ensureFolders: the folder is the customer's, and nothing is created there.
  if (t.type === 'folder')
    return ok(
      new LocalFolderTransport({
        inbound: cfg.sent.folder,
        outbound: t.outbound,
        archive: t.archive,
        quarantine: t.quarantine,
      }),
    );
  return openTransport({ ...t, folders: { ...t.folders, inbound: cfg.sent.folder } }, 'mailbox.transport', src);
}
