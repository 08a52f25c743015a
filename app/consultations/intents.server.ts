/**
 * Intents shared by the patient's and the doctor's consultation pages. Server-only, so the
 * schemas they parse stay out of the browser bundle of pages that do not validate there.
 */
import { redirect } from "@remix-run/node";
import { intent } from "~/http/pipeline.server";
import { postMessage } from "./messages.server";
import { MessageSchema } from "./validation";

/** Post to the thread, then back to it on `page(id)`. */
export const postMessageIntent = (page: (id: string) => string) =>
  intent(MessageSchema, async ({ user, params, value }) => {
    await postMessage(user, params.id ?? "", value.body);
    return redirect(`${page(params.id ?? "")}#messages`);
  });
