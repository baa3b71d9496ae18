/**
 * Reference: "Error Notification". No decorator per task: failure handlers are named once in
 * hooks.ts and run once per final failure (after the last retry), isolated and time-bounded.
 *
 *   // hooks.ts
 *   export default defineHooks({
 *     job_failure_handlers: ["examples.error_notification.notify_ops"],
 *     ...
 *   });
 *
 * A task can also name its own handler: `enqueue(task, { onFailure: "my_app.alerts.x" })`, or
 * `{ method, on_failure: "my_app.alerts.x" }` in scheduler_events.
 *
 * Mail: any object with nodemailer's `sendMail` works; nodemailer is your app's dependency:
 *
 *   import nodemailer from "nodemailer";
 *   const transport = nodemailer.createTransport({ host: "smtp.example.com", port: 587, auth: { user, pass } });
 *   export const mail_admin = emailNotifier({ transport, from: "jobs@example.com", to: "admin@example.com" });
 */
import { emailNotifier, logError, webhookNotifier, type FailureHandler, type MailTransport } from "../src/index.js";

/** POST the failure as JSON; retried with backoff on network errors and 5xx. */
export function opsWebhook(url: string): FailureHandler {
  return webhookNotifier({ url, timeoutMs: 5_000, retries: 3, headers: { authorization: `Bearer ${process.env.OPS_TOKEN ?? ""}` } });
}

export function adminMail(transport: MailTransport): FailureHandler {
  return emailNotifier({ transport, from: "jobs@example.com", to: "admin@example.com" });
}

/**
 * The handler hooks.ts names: the worker calls it once per final failure (after the last retry)
 * with `{ job, error, attempts }` and an abort signal. Posts to OPS_WEBHOOK_URL when it is set.
 */
export const notify_ops: FailureHandler = (failure, scope) => {
  const url = process.env.OPS_WEBHOOK_URL;
  return url ? opsWebhook(url)(failure, scope) : undefined;
};

/** frappe.log_error inside a task: recorded in the events stream (`scheduler logs --level error`). */
export async function critical_job({ data }: { data: string }) {
  try {
    if (!data) throw new Error("no data");
    return data.length;
  } catch (err) {
    await logError("Background Job Failed: critical_job", err);
    throw err; // still fails the job, so retries and failure handlers apply
  }
}
