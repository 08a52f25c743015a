/** A download of the user's own data: saved under its file name, never cached, never sniffed. */
export function attachmentResponse(
  body: BodyInit,
  { contentType, filename }: { contentType: string; filename: string },
): Response {
  return new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
