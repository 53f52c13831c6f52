import type { PartnerChannelKind, PartnerChannelSection, PartnerFlow } from '../../config/partnerChannelSchema.ts';

/**
 * Which channels carry a partner-facing flow for a partner: the flow's own list for that partner, else
 * the partner's list, else `default_channels`. Pure, so the console and the handlers agree.
 */
export function channelsFor(
  section: PartnerChannelSection,
  partnerId: string,
  flow: PartnerFlow,
): ReadonlySet<PartnerChannelKind> {
  const p = section.partners[partnerId];
  return new Set(p?.flows[flow] ?? p?.channels ?? section.default_channels);
}

/** Whether the partner is reached through the community API for this flow (the behaviour before the partner channel). */
export const viaCommunity = (section: PartnerChannelSection, partnerId: string, flow: PartnerFlow): boolean =>
  channelsFor(section, partnerId, flow).has('community');
export const viaEmail = (section: PartnerChannelSection, partnerId: string, flow: PartnerFlow): boolean =>
  channelsFor(section, partnerId, flow).has('email');
