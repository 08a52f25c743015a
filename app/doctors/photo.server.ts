/**
 * The doctor's profile photo (decision 048). Through the image intake's rules: the type is
 * read from the bytes, size and pixel caps, and a re-encoding by sharp to a 400 × 400 JPEG
 * (oriented, nothing else of the file kept: no EXIF, no GPS, no ICC or XMP). Stored in the
 * image store under a new random key before the profile names it; the old photo is removed
 * after the commit. A crash in between leaves a folder no row names, which the start-up sweep
 * removes (app/uploads/recovery.server.ts knows photo keys). A photo is identity: a new one,
 * or none, sends a certified profile back to verification.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import sharp from "sharp";
import { getDb } from "#db/client";
import { doctorProfiles } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { endDoctorAccess } from "~/consultations/access.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { invalid, isDomainError, notFound } from "~/errors/domain-error";
import { ImageRejected, isHeif, MAX_INPUT_PIXELS, sniffImageType } from "~/uploads/image.server";
import { parseUpload } from "~/uploads/multipart.server";
import { getImageStore, newImageKey } from "~/uploads/storage.server";
import { BACK_TO_VERIFICATION } from "./profile.server";

export const PHOTO_MAX_MB = 5;
const PHOTO_MAX_BYTES = PHOTO_MAX_MB * 1024 * 1024;
export const PHOTO_SIDE = 400;
const MIN_PHOTO_SIDE = 100;

const refuse = (message: string, status?: 413 | 415) => invalid(message, "photo", status);

/** The stored photo: a square JPEG of the validated upload, or a refusal on the photo field. */
export async function preparePhoto(bytes: Uint8Array): Promise<Buffer> {
  if (bytes.length === 0) throw refuse("Choose a photo to upload.");
  if (bytes.length > PHOTO_MAX_BYTES)
    throw refuse(`The photo is larger than ${PHOTO_MAX_MB} MB. Choose a smaller one.`, 413);
  if (!sniffImageType(bytes)) {
    throw refuse(
      isHeif(bytes)
        ? "This is a HEIC photo, which HemaLink cannot read. Choose a JPEG or PNG instead."
        : "This file is not a JPEG, PNG, WebP or TIFF image. Choose a photo.",
      415,
    );
  }
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "truncated" as const };
  try {
    const { width = 0, height = 0 } = await sharp(bytes, options).metadata();
    if (Math.min(width, height) < MIN_PHOTO_SIDE)
      throw refuse(`The photo is too small (under ${MIN_PHOTO_SIDE} pixels on a side).`);
    // sharp writes no metadata unless asked: the JPEG carries pixels only.
    return await sharp(bytes, options)
      .rotate()
      .resize(PHOTO_SIDE, PHOTO_SIDE, { fit: "cover", position: "attention" })
      .toColourspace("srgb")
      .jpeg({ quality: 85 })
      .toBuffer();
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw refuse("This image cannot be read. It may be damaged; choose another photo.");
  }
}

/** Set (or, with null, remove) the acting doctor's photo. */
export async function setOwnPhoto(actor: Actor, bytes: Uint8Array | null) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  const photo = bytes === null ? null : await preparePhoto(bytes);
  const store = getImageStore();
  const key = photo ? newImageKey() : null;
  // Durable before any row names it.
  if (key && photo) await store.put(key, "thumbnail", photo);
  try {
    return await inTransaction(async (uow) => {
      const current = (
        await uow.tx
          .select()
          .from(doctorProfiles)
          .where(eq(doctorProfiles.userId, actor.id))
          .limit(1)
      )[0];
      if (!current || !can(actor, { type: "doctor:edit-profile", profileUserId: current.userId }))
        notFound();
      if (current.photoKey === null && key === null) return { backToVerification: false };
      const backToVerification = current.status === "verified" || current.status === "rejected";
      await uow.tx
        .update(doctorProfiles)
        .set({
          photoKey: key,
          ...(backToVerification ? BACK_TO_VERIFICATION : {}),
          updatedAt: new Date(),
        })
        .where(eq(doctorProfiles.id, current.id));
      if (backToVerification && current.status === "verified")
        await endDoctorAccess(uow, current.id, current.userId);
      await auditSuccess(
        actor,
        key ? "doctor.photo.set" : "doctor.photo.remove",
        {
          targetType: "doctor_profile",
          targetId: current.id,
          detail: backToVerification ? "photo changed: back to verification" : undefined,
        },
        uow.tx,
      );
      const old = current.photoKey;
      if (old) uow.afterCommit(() => store.deleteAll(old));
      return { backToVerification: backToVerification || current.status === "pending" };
    });
  } catch (error) {
    if (key) await store.deleteAll(key);
    throw error;
  }
}

/** A certified doctor's photo (a 404 for anyone else's, or none). */
export async function getListedPhoto(profileId: string): Promise<Buffer> {
  const row = (
    await getDb()
      .select({ photoKey: doctorProfiles.photoKey })
      .from(doctorProfiles)
      .where(
        and(
          eq(doctorProfiles.id, profileId),
          eq(doctorProfiles.status, "verified"),
          isNotNull(doctorProfiles.photoKey),
        ),
      )
      .limit(1)
  )[0];
  if (!row?.photoKey) notFound();
  return (await getImageStore().get(row.photoKey, "thumbnail")) ?? notFound();
}

/** The photo form, streamed with the upload's size cap; its refusals land on the photo field. */
export async function readPhotoForm(request: Request): Promise<FormData> {
  try {
    return await parseUpload(request);
  } catch (error) {
    if (error instanceof ImageRejected)
      throw refuse(
        error.message,
        error.status === 413 || error.status === 415 ? error.status : undefined,
      );
    throw error;
  }
}

/** The acting doctor's own photo, whatever the profile's status (their profile page shows it). */
export async function getOwnPhoto(actor: Actor): Promise<Buffer> {
  if (!can(actor, { type: "doctor:access" })) notFound();
  const row = (
    await getDb()
      .select({ photoKey: doctorProfiles.photoKey })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.userId, actor.id))
      .limit(1)
  )[0];
  if (!row?.photoKey) notFound();
  return (await getImageStore().get(row.photoKey, "thumbnail")) ?? notFound();
}
