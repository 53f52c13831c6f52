export { createClickUpClient } from './client.ts';
export type {
  ClickUpClient,
  ClickUpClientOptions,
  TaskRef,
  RateLimitState,
  ListTasksQuery,
  GetTaskOptions,
  AttachmentUpload,
  AttachmentDownload,
  Dependency,
} from './client.ts';
export { ClickUpRateLimiter } from './rateLimiter.ts';
export type { RateLimiterOptions } from './rateLimiter.ts';
export { DEFAULT_RETRY } from './transport.ts';
export type { RetryPolicy } from './transport.ts';
export { verifyClickUpSignature, signClickUpBody } from './signature.ts';
export { findFieldByName, coerceFieldValue } from './fields.ts';
export { webhookEventSchema } from './types.ts';
export type * from './types.ts';
export {
  ensureWebhook,
  decideWebhookAction,
  webhookHealth,
  catchUpTasks,
  webhookMatches,
} from './webhookRegistration.ts';
export type { WebhookSpec, WebhookAction, EnsuredWebhook } from './webhookRegistration.ts';
export { validateClickUpSetup } from './setup.ts';
export type { ClickUpSetupSpec, ValidatedClickUpSetup, ClickUpSetupError } from './setup.ts';
export { registerClickUpRateLimitMetrics } from './metrics.ts';
