// The bridge as `gridbridge start` builds it, with partner_channel.bounces set: its own listener takes the
// delivery report the mail server sends after accepting a partner e-mail for a dead address, and the
// message, its case's audit and /metrics say so. The channel's own test (bounces.test.ts) covers the cases.
import { afterEach, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { startMailCatcher, type MailCatcher } from '../../src/sandbox/mail/server.ts';
import { listPartnerMessages } from '../../src/store/ops/partnerMessages.ts';
import { listAudit } from '../../src/store/ops/audit.ts';

const PARTNER = 'P-UMBRELLA';
const DEAD = 'uma@umbrella.example';
const RETURN_PATH = 'bounces@bridge.example';

let w: World | null = null;
let catcher: MailCatcher | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
  await catcher?.close();
  catcher = null;
});

it('a running bridge with partner_channel.bounces reads the late delivery report for a partner e-mail and marks it bounced', async () => {
  catcher = await startMailCatcher({ deadAddresses: [DEAD] });
  w = await createWorld({
    partners: { [PARTNER]: { name: 'Umbrella Foods' } },
    extra: {
      partner_channel: {
        partners: { [PARTNER]: { channels: ['email'], contacts: [{ name: 'Uma Ops', email: DEAD }] } },
        smtp: {
          host: catcher.host,
          port: catcher.port,
          security: 'none',
          from: 'Partner Desk <partners@bridge.example>',
        },
        bounces: { return_path: RETURN_PATH, listen_host: '127.0.0.1', listen_port: 0 },
      },
    },
  });
  const b = await w.startBridge();
  expect(b.bounceInbox).not.toBeNull();
  catcher.routeReportsTo(b.bounceInbox!.host, b.bounceInbox!.port);

  const c = await w.tg.raiseCase({ partnerId: PARTNER, kind: 'dispute', title: 'Short shipment on PO 7781' });
  await eventually('the received mail taken by the server', () => catcher!.caught.find((m) => m.to.includes(DEAD)));
  expect(catcher.caught.find((m) => m.to.includes(DEAD))!.mailFrom).toBe(RETURN_PATH);

  await eventually('the message marked bounced', async () => {
    const ms = await listPartnerMessages(b.store.db, 'case', c.id);
    return ms.length > 0 && ms.every((m) => m.state === 'bounced');
  });
  const audit = await listAudit(b.store.db, 'case', c.id);
  expect(audit.filter((a) => a.action === 'email_bounced')).toHaveLength(1);
  const metrics = await (await fetch(`${b.url}/metrics`)).text();
  expect(metrics).toMatch(/gridbridge_partner_email_bounces_total\{outcome="recorded"\} 1\b/);
});
