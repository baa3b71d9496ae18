/** Reference: "Simple Job". A task is an exported function of one kwargs object. */
import { enqueue } from "../src/index.js"; // in your app: from "hooks-scheduler"

export async function send_notification({ user, message }: { user: string; message: string }) {
  // await mailer.sendMail({ to: user, subject: "Notification", text: message });
  return `sent "${message}" to ${user}`;
}

/** Call from app code: every key that is not an option is a kwarg. */
export function notifyUser() {
  return enqueue("examples.simple_job.send_notification", { user: "user@example.com", message: "Hello!" });
}
