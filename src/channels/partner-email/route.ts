import type { PartnerFlow } from '../../config/partnerChannelSchema.ts';
import type { SyncContext } from '../../sync/context.ts';
import { channelsFor } from './channels.ts';

/** Which of our channels a partner-facing flow takes for a partner; without the partner channel, the community API as before. */
export function partnerRoute(
  ctx: SyncContext,
  partnerId: string,
  flow: PartnerFlow,
): { community: boolean; email: boolean; edi: boolean; channels: string[] } {
  const rt = ctx.partnerChannel;
  if (!rt) return { community: true, email: false, edi: false, channels: ['community'] };
  const set = channelsFor(rt.section, partnerId, flow);
  return {
    community: set.has('community'),
    email: set.has('email') && rt.mailer !== null,
    edi: set.has('edi'),
    channels: [...set],
  };
}
