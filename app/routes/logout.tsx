import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { logOut } from "~/auth/login.server";
import { handleAction, handleLoader, NO_FIELDS, publicIntent } from "~/http/pipeline.server";

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async () => {
    return redirect("/");
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(NO_FIELDS, async ({ user, request }) => {
        const setCookie = await logOut(request, user);
        return redirect("/", { headers: { "Set-Cookie": setCookie } });
      }),
    },
  });
}
