import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { ImageRejected, MAX_UPLOAD_BYTES } from "./image.server";

// Room for the other fields and multipart boundaries on top of the image itself.
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;

/**
 * Parse a multipart upload, stopping as soon as a part passes the cap: an oversized
 * file is refused while it streams, never buffered whole.
 */
export async function parseUpload(request: Request): Promise<FormData> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) {
    throw new ImageRejected("The file is larger than 15 MB. Choose a smaller photo.", 413);
  }
  if (!request.headers.get("content-type")?.startsWith("multipart/form-data")) {
    throw new ImageRejected("Choose an image file to upload.", 400);
  }
  try {
    return await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_UPLOAD_BYTES }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) {
      throw new ImageRejected("The file is larger than 15 MB. Choose a smaller photo.", 413);
    }
    throw new ImageRejected("The upload was interrupted or malformed. Please try again.", 400);
  }
}
