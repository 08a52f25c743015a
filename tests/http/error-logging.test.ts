import { vi } from "vitest";
import { handleError } from "~/entry.server";

const request = (path: string) => ({ request: new Request(`http://localhost${path}`) });

describe("server error logging", () => {
  test("a URL no route matches is one warning line, without a stack trace", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    // What the router hands over for an unmatched URL: an error response wrapping an Error.
    const notFound = {
      status: 404,
      statusText: "Not Found",
      internal: true,
      data: "Error: No route matches URL",
      error: new Error('No route matches URL "/favicon.ico"'),
    };
    handleError(notFound, request("/favicon.ico"));
    expect(error).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/ 404 GET \/favicon\.ico$/);
    expect(String(warn.mock.calls[0]![0])).not.toContain("\n");
    warn.mockRestore();
    error.mockRestore();
  });

  test("a server error is logged with its stack", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const failure = new Error("database is locked");
    handleError(failure, request("/analyses"));
    expect(error).toHaveBeenCalledWith(failure);
    error.mockRestore();
  });
});
