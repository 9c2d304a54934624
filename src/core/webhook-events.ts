/** The webhook events a tenant can subscribe to (config `webhooks[].events`). */
export const WEBHOOK_EVENTS = ['message.completed', 'delivery.failed', 'delivery.delivered', 'device.pruned'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
