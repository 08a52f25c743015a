import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { audit } from "~/audit/audit.server";
import { getOptionalUser, requireSameOrigin } from "~/auth/guards.server";
import { destroySession } from "~/auth/session.server";
import { clientIp } from "~/security/request.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await getOptionalUser(request);
  const setCookie = await destroySession(request);
  if (user) {
    audit({
      actorId: user.id,
      action: "logout",
      outcome: "success",
      ip: clientIp(request, context),
    });
  }
  return redirect("/", { headers: { "Set-Cookie": setCookie } });
}
