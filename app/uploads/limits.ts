/** How large an upload may be: one number for the form, the stream cap and the image checks. */
export const MAX_UPLOAD_MB = 15;
export const MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024;
export const FILE_TOO_LARGE = `The file is larger than ${MAX_UPLOAD_MB} MB. Choose a smaller photo.`;
