import { z } from "zod";

const Labels = z.record(z.string(), z.string());

/** One alert of an Alertmanager webhook notification (payload version 4). */
export const Alert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().default("0001-01-01T00:00:00Z"),
  generatorURL: z.string().default(""),
  fingerprint: z.string().min(1),
});
export type Alert = z.infer<typeof Alert>;

/** The Alertmanager webhook payload. Unknown top-level fields (e.g. notification_reason) are tolerated. */
export const AlertPayload = z.object({
  version: z.literal("4"),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().default(""),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(Alert).min(1),
});
export type AlertPayload = z.infer<typeof AlertPayload>;

/** Keys that identify one firing of one alert, for deduplicating repeats and HA redeliveries. */
export function alertDedupeKeys(payload: AlertPayload): string[] {
  return payload.alerts.map((a) => `${payload.groupKey}|${a.fingerprint}|${a.startsAt}|${a.status}`);
}
