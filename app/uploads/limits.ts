/** How large an upload may be: one number for the form, the stream cap and the image checks. */
export const MAX_UPLOAD_MB = 15;
export const MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024;
export const FILE_TOO_LARGE = `The file is larger than ${MAX_UPLOAD_MB} MB. Choose a smaller photo.`;

/**
 * On AWS Lambda behind API Gateway (docs/decisions/063) a request reaches the function as one
 * event of at most 6 MB with a binary body base64-encoded (4/3 larger): the most a body can be
 * there is about 4.5 MB. The Lambda entry refuses anything over this cap itself, with this
 * message; a larger body never reaches it, and API Gateway answers 413 on its own.
 */
export const SERVERLESS_MAX_UPLOAD_MB = 4;
export const SERVERLESS_MAX_BODY_BYTES = SERVERLESS_MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024;
export const FILE_TOO_LARGE_SERVERLESS = `The file is larger than ${SERVERLESS_MAX_UPLOAD_MB} MB, the most this server accepts. Choose a smaller photo.`;
/** A 413 the app did not write (a gateway or proxy in front refused the body). */
export const REFUSED_AS_TOO_LARGE =
  "The server refused the file as too large. Choose a smaller photo.";
