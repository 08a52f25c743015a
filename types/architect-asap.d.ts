// Architect's static asset proxy ships no types: the part of its API the Lambda entry uses.
declare module "@architect/asap" {
  type Answer = {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded?: boolean;
  };
  export default function asap(config?: {
    passthru?: boolean;
    cacheControl?: string;
    headers?: Record<string, string>;
  }): (event: { version?: string; rawPath: string }) => Promise<Answer | null>;
}
