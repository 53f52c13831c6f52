// The shapes the console's JavaScript works with (JSDoc `import('./types').X`), taken from the admin API's
// OpenAPI types: admin-api.d.ts is generated from src/server/admin/openapi.ts (scripts/gen-admin-api-types.ts).
import type { components, paths } from './admin-api';

export type Schemas = components['schemas'];
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The admin paths that answer a GET, as the document names them ('/cases/{id}'). */
export type GetPath = { [P in keyof paths]: paths[P] extends { get: object } ? P : never }[keyof paths];
/** The admin paths that take a POST. */
export type PostPath = { [P in keyof paths]: paths[P] extends { post: object } ? P : never }[keyof paths];
/** The JSON a GET of path `P` answers with (200). */
export type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } } ? Json<R> : never;
/** The JSON a POST to path `P` answers with (200). */
export type Post<P extends keyof paths> = paths[P] extends { post: { responses: { 200: infer R } } } ? Json<R> : never;
/** The JSON body a POST to path `P` takes (undefined for one that takes none). */
export type PostBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody: { content: { 'application/json': infer B } } };
}
  ? B
  : undefined;
/** Values for the `{name}` parts of a path. */
export type PathParams = Record<string, string | number>;

export type Session = Schemas['Session'];
export type CaseRow = Schemas['CaseRow'];
export type TimelineItem = Schemas['TimelineItem'];
export type DeadLetter = Schemas['DeadLetter'];
export type SlaGroup = Schemas['SlaGroup'];
export type FlowProgress = Schemas['FlowProgress'];
export type HeldSelector = Schemas['HeldSelector'];
export type HeldChange = Get<'/held-changes'>['held'][number];

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
