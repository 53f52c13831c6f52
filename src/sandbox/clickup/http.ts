import type { IncomingMessage } from 'node:http';
import type { Router } from '../shared/router.ts';

/** A ClickUp sandbox request as its handlers see it: the body is read (and JSON parsed) before. */
export interface SandboxRequest {
  method: string;
  /** Route template, e.g. `/v2/task/{task_id}`: used for stats. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Parsed JSON body (undefined when empty or not JSON). */
  json: unknown;
}

export interface SandboxResponse {
  status: number;
  body?: unknown;
  /** Raw bytes instead of JSON. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

/** The shared router with the ClickUp sandbox's handlers. */
export type ClickUpRouter = Router<Handler>;
