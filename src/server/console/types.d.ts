// The shapes the console's JavaScript works with (JSDoc `import('./types').X`), taken from the admin API's
// OpenAPI types: admin-api.d.ts is generated from src/server/admin/openapi.ts (scripts/gen-admin-api-types.ts).
import type { components, paths } from './admin-api';

export type Schemas = components['schemas'];
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The JSON a GET of path `P` answers with (200). */
export type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } } ? Json<R> : never;
/** The JSON a POST to path `P` answers with (200). */
export type Post<P extends keyof paths> = paths[P] extends { post: { responses: { 200: infer R } } } ? Json<R> : never;

export type Session = Schemas['Session'];
export type CaseRow = Schemas['CaseRow'];
export type TimelineItem = Schemas['TimelineItem'];
export type DeadLetter = Schemas['DeadLetter'];
export type SlaGroup = Schemas['SlaGroup'];

/** GET /api/partner-channel/deliveries/case/{id} (src/server/partnerPages/consoleApi.ts, not in the admin document). */
export interface PartnerSends {
  deliveries: Array<{
    channel: string;
    what: string;
    to: string | null;
    state: string;
    detail: string | null;
    at: number;
  }>;
  tokens: Array<{
    jti: string;
    recipient: string | null;
    partnerId: string;
    expiresAt: number;
    lastUsedAt: number | null;
    revokedAt: number | null;
  }>;
}
