/**
 * Loaded into every Lambda process the sandbox starts for the serverless test (NODE_OPTIONS
 * `--import`, in the functions' environment only; docs/decisions/071): a new connection for each
 * request to the sandbox's runtime API instead of a kept-alive one.
 *
 * Why: the Node bootstrap of @architect/sandbox 9.0.0 (`src/invoke-lambda/exec/runtimes/
 * node-esm.mjs`) gets the event with `GET …/invocation/next` and posts the result on the same
 * kept-alive connection (Node's global agent), and its `post()` resolves once the body is
 * written, not when the sandbox answers 202. The sandbox's server (`src/arc/index.js`, Node's
 * default keepAliveTimeout of 5 s) closes that connection when it has been idle for 5 s. A
 * function busy for longer without turning its event loop (a cold start's module evaluation, a
 * render) has not yet seen the close when it writes its result there: the write is lost, the
 * process has nothing left to do and exits with code 0, and the sandbox (`exec/spawn.js`, on
 * 'close' with no result) answers 200 with the body `null`. With a new connection per request
 * there is no idle connection to lose. The functions themselves make no HTTP requests in the test.
 */
import http from "node:http";

http.globalAgent = new http.Agent({ keepAlive: false });
