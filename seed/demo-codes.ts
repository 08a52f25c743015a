// `npm run demo:codes`: the current two-step login codes of the demo accounts that have one.
import { currentCode } from "~/auth/second-factor.server";
import { DEMO_ACCOUNTS } from "./demo";

for (const account of Object.values(DEMO_ACCOUNTS)) {
  if (!("totpSecret" in account)) continue;
  console.log(`${account.email.padEnd(32)} ${await currentCode(account.totpSecret)}`);
}
const left = 30 - (Math.floor(Date.now() / 1000) % 30);
console.log(`(this code changes in ${left} s; the one before and the one after are accepted too)`);
