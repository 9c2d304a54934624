/** /v1/receipts/{provider}/{tenant}: vendor delivery receipts (authenticated by ReceiptService, not by API key). */
import type { Request } from 'express';
import type { ReceiptService } from '../../core/receipts.js';
import type { Routes } from './types.js';

/** Receipts keep the raw body (signatures may cover it): app.ts's body parser stores it here. */
export type RawRequest = Request & { rawBody?: string };

export function receiptRoutes(app: Routes, receipts: ReceiptService): void {
  app.post('/v1/receipts/:provider/:tenant', async (req, res) => {
    const out = await receipts.handle(String(req.params.provider), String(req.params.tenant), {
      headers: req.headers,
      body: req.body,
      rawBody: (req as RawRequest).rawBody ?? '',
      query: req.query as Record<string, unknown>,
    });
    res.json(out.reply);
  });
}
