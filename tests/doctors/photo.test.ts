import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { getDb } from "#db/client";
import { doctorProfiles } from "#db/schema";
import { preparePhoto, setOwnPhoto, PHOTO_SIDE } from "~/doctors/photo.server";
import { isDomainError } from "~/errors/domain-error";
import { action as profileAction } from "~/routes/doctor.profile";
import { loader as photoLoader } from "~/routes/doctors.$id_.photo";
import { recoverUploads } from "~/uploads/recovery.server";
import { getImageStore, imageStoreRoot } from "~/uploads/storage.server";
import { getRequest, makeCertifiedDoctor, ORIGIN, sessionCookieFor } from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

/** A 900 × 600 JPEG carrying EXIF (a camera note and GPS), as phones write them. */
const photoWithExif = () =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 180, g: 120, b: 90 } } })
    .jpeg()
    .withExif({
      IFD0: { Copyright: "Dr Secret Camera", Make: "PhoneCo" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 0/1" },
    })
    .toBuffer();

async function refusal(bytes: Uint8Array) {
  try {
    await preparePhoto(bytes);
  } catch (error) {
    if (isDomainError(error)) return { message: error.message, status: error.options.status };
    throw error;
  }
  throw new Error("accepted");
}

const profileRow = async (id: string) =>
  (await getDb().select().from(doctorProfiles).where(eq(doctorProfiles.id, id)).limit(1))[0]!;

async function photoResponse(profileId: string) {
  return (await photoLoader({
    request: getRequest(`/doctors/${profileId}/photo`),
    params: { id: profileId },
    context: {},
  })) as Response;
}

describe("a doctor's profile photo", () => {
  test("a forged, an oversize, an empty or a tiny file is refused with a message", async () => {
    const forged = new TextEncoder().encode(
      "<?php system($_GET['x']); ?> pretending to be photo.jpg",
    );
    expect(await refusal(forged)).toEqual({
      message: "This file is not a JPEG, PNG, WebP or TIFF image. Choose a photo.",
      status: 415,
    });
    const oversize = new Uint8Array(5 * 1024 * 1024 + 1);
    oversize.set([0xff, 0xd8, 0xff, 0xe0]);
    expect(await refusal(oversize)).toEqual({
      message: "The photo is larger than 5 MB. Choose a smaller one.",
      status: 413,
    });
    expect((await refusal(new Uint8Array())).message).toBe("Choose a photo to upload.");
    const tiny = await sharp({ create: { width: 40, height: 40, channels: 3, background: "#888" } })
      .png()
      .toBuffer();
    expect((await refusal(tiny)).message).toBe(
      "The photo is too small (under 100 pixels on a side).",
    );
    const truncated = (await photoWithExif()).subarray(0, 2000);
    expect((await refusal(truncated)).message).toMatch(/cannot be read/);
  });

  test("a photo is re-encoded square, without its metadata", async () => {
    const original = await photoWithExif();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const stored = await preparePhoto(original);
    const meta = await sharp(stored).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: PHOTO_SIDE, height: PHOTO_SIDE });
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(stored.includes(Buffer.from("Dr Secret Camera"))).toBe(false);
  });

  test("a new photo sends a certified profile back to verification; it is public only once certified", async () => {
    const doctor = await makeCertifiedDoctor();
    // No photo yet: a 404, as for a profile that is not listed.
    await expect(photoResponse(doctor.profile.id)).rejects.toMatchObject({ status: 404 });
    const first = await setOwnPhoto(doctor.user, await photoWithExif());
    expect(first.backToVerification).toBe(true);
    const row = await profileRow(doctor.profile.id);
    expect(row.status).toBe("pending");
    expect(row.photoKey).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await expect(photoResponse(doctor.profile.id)).rejects.toMatchObject({ status: 404 });
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ status: "verified" })
        .where(eq(doctorProfiles.id, doctor.profile.id)),
    );
    const served = await photoResponse(doctor.profile.id);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(
      PHOTO_SIDE,
    );

    // Replacing it removes the old file after the commit; removing it leaves none.
    const oldKey = row.photoKey!;
    await setOwnPhoto(doctor.user, await photoWithExif());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await getImageStore().get(oldKey, "thumbnail")).toBeNull();
    const newKey = (await profileRow(doctor.profile.id)).photoKey!;
    await setOwnPhoto(doctor.user, null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await profileRow(doctor.profile.id)).photoKey).toBeNull();
    expect(await getImageStore().get(newKey, "thumbnail")).toBeNull();
  });

  test("the start-up sweep keeps photos and removes a photo no profile names", async () => {
    const doctor = await makeCertifiedDoctor();
    await setOwnPhoto(doctor.user, await photoWithExif());
    const kept = (await profileRow(doctor.profile.id)).photoKey!;
    // What a crash between the file and the commit leaves: a folder nobody names.
    const orphan = "OrphanPhotoKey0123456789";
    await getImageStore().put(orphan, "thumbnail", await preparePhoto(await photoWithExif()));
    await recoverUploads();
    expect(await getImageStore().get(kept, "thumbnail")).not.toBeNull();
    expect(fs.existsSync(path.join(imageStoreRoot(), orphan.slice(0, 2), orphan))).toBe(false);
  });

  test("through the profile page: a forged upload is a 415 on the photo field and changes nothing", async () => {
    const doctor = await makeCertifiedDoctor();
    const form = new FormData();
    form.set("intent", "photo");
    form.set(
      "photo",
      new File([new TextEncoder().encode("not an image")], "me.jpg", { type: "image/jpeg" }),
    );
    const request = new Request(`${ORIGIN}/doctor/profile`, {
      method: "POST",
      body: form,
      headers: {
        Origin: ORIGIN,
        Host: "localhost:3000",
        Cookie: await sessionCookieFor(doctor.user.id),
      },
    });
    const result = (await profileAction({ request, params: {}, context: {} })) as {
      init?: { status?: number };
      data: { error?: Record<string, string[]> };
    };
    expect(result.init?.status).toBe(415);
    expect(result.data.error?.photo).toEqual([
      "This file is not a JPEG, PNG, WebP or TIFF image. Choose a photo.",
    ]);
    expect(await profileRow(doctor.profile.id)).toMatchObject({
      status: "verified",
      photoKey: null,
    });
  });
});
