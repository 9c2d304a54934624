/**
 * What every route module gets. Routes are registered on the app itself (not on a sub-router), so
 * each keeps its full path: the metrics' `route` label and the openapi ↔ express check read them.
 */
import type { Express, RequestHandler } from 'express';

export type Routes = Pick<Express, 'get' | 'post' | 'delete'>;

export interface Guards {
  /** Server keys only. */
  server: RequestHandler;
  /** Server or client keys (device registration from apps). */
  anyKey: RequestHandler;
}
