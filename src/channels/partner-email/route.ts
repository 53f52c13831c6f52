import type { PartnerChannelSection, PartnerFlow } from '../../config/partnerChannelSchema.ts';
import type { SyncContext } from '../../sync/context.ts';
import { channelsFor } from './channels.ts';

/**
 * Whether `partner_channel` routes anything: a partner listed, or default channels other than the community API.
 * Without it every partner-facing flow goes to the community API as before (and EDI goes where `send` says).
 */
export function partnerChannelRoutes(section: PartnerChannelSection | undefined): boolean {
  if (!section) return false;
  const d = section.default_channels;
  return Object.keys(section.partners).length > 0 || d.length !== 1 || d[0] !== 'community';
}

/** Whether the partner channel decides this deployment's routes (an e-mail runtime, or a section naming channels). */
export const partnerChannelConfigured = (ctx: SyncContext): boolean =>
  ctx.partnerChannel !== undefined || partnerChannelRoutes(ctx.config.partner_channel);

/**
 * Which of our channels a partner-facing flow takes for a partner; without the partner channel, the community API
 * as before. The e-mail runtime exists only when some partner uses e-mail; a section that names only `community`
 * and `edi` (EDI partners' decisions and case statuses) routes all the same.
 */
export function partnerRoute(
  ctx: SyncContext,
  partnerId: string,
  flow: PartnerFlow,
): { community: boolean; email: boolean; edi: boolean; channels: string[] } {
  const rt = ctx.partnerChannel;
  const section = rt?.section ?? ctx.config.partner_channel;
  if (!rt && !partnerChannelRoutes(section))
    return { community: true, email: false, edi: false, channels: ['community'] };
  const set = channelsFor(section, partnerId, flow);
  return {
    community: set.has('community'),
    email: set.has('email') && rt !== undefined && rt.mailer !== null,
    edi: set.has('edi'),
    channels: [...set],
  };
}
