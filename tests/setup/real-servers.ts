// The servers are started by the tests and by `npm run start:scaled` alike.
export * from "../../scripts/lib/real-servers";
