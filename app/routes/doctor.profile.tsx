import type { z } from "zod";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { requireRole } from "~/auth/guards.server";
import { ClientOnly } from "~/components/client-only";
import { alwaysShowsMap, mapLinks } from "~/map/links";
// Conform-free (form-fields, not forms): the page stays well under its weight budget (decision 066).
import {
  Checkbox,
  CheckboxGroup,
  controlProps,
  Field,
  FieldErrors,
  fieldMessage,
  FormErrors,
  replyTo,
  usePlainForm,
  type PlainField,
} from "~/components/form-fields";
import { getOwnProfile, updateOwnProfile } from "~/doctors/profile.server";
import { SPECIALTIES, SPECIALTY_IDS } from "~/doctors/specialties";
import { LANGUAGES } from "~/doctors/languages";
import { FEE_KINDS, FEE_KIND_LABELS, minorDigits, type Fee } from "~/doctors/fees";
import { LocateSchema, PhotoSchema, ProfileSchema } from "~/doctors/validation";
import { PHOTO_MAX_MB, readPhotoForm, setOwnPhoto } from "~/doctors/photo.server";
import { DoctorAvatar } from "~/components/doctor-details";
import { invalid } from "~/errors/domain-error";
import { mapTiles } from "~/env.server";
import { resolvePlace } from "~/geo/gazetteer.server";
import { handleAction, handleLoader, intent, step } from "~/http/pipeline.server";

const PinMap = lazy(() => import("~/map/map.client").then((m) => ({ default: m.PinMap })));

export const links = mapLinks;
export const handle = alwaysShowsMap;

export const meta: MetaFunction = () => [{ title: "Your profile · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const profile = await getOwnProfile(user);
    const { url, attribution } = mapTiles();
    return {
      name: user.displayName,
      profile: {
        ...profile,
        boardCertifications: profile.boardCertifications.join("\n"),
        education: profile.education.join("\n"),
        // The page needs to know there is a photo, not its key in the image store.
        photoKey: undefined,
        photoVersion: profile.photoKey ? profile.updatedAt.getTime() : null,
        verifiedAt: profile.verifiedAt?.toISOString() ?? null,
      },
      tiles: { url, attribution },
      photoMaxMb: PHOTO_MAX_MB,
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    // The photo form is multipart (streamed with the upload's cap); the others are plain forms.
    readForm: (request) =>
      (request.headers.get("content-type") ?? "").startsWith("multipart/form-data")
        ? readPhotoForm(request)
        : request.formData(),
    intents: {
      save: intent(ProfileSchema, async ({ user, value, submission }) => {
        const saved = await updateOwnProfile(user, value);
        return { reply: submission.reply(), located: null, saved };
      }),
      photo: intent(PhotoSchema, async ({ user, value, submission }) => {
        const saved = await setOwnPhoto(user, new Uint8Array(await value.photo.arrayBuffer()));
        return { reply: submission.reply(), located: null, saved, photo: "saved" as const };
      }),
      "remove-photo": step(async ({ user, submission }) => {
        const saved = await setOwnPhoto(user, null);
        return { reply: submission.reply(), located: null, saved, photo: "removed" as const };
      }),
      // "Set the pin from the city" without JavaScript: resolve the typed city offline.
      locate: intent(LocateSchema, ({ value, submission }) => {
        const place = resolvePlace(value.country ? `${value.city}, ${value.country}` : value.city);
        if (!place) {
          throw invalid(
            "We could not find this city. Check the spelling and the country code.",
            "city",
          );
        }
        return { reply: submission.reply({ resetForm: false }), located: place, saved: null };
      }),
    },
  });
}

export default function DoctorProfilePage() {
  const { name, profile, tiles, photoMaxMb } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const photoOutcome = result && "photo" in result ? result : null;
  const outcome = result && "saved" in result && !photoOutcome ? result : null;
  const photoError = fieldMessage(replyTo(result, "photo"), "photo");
  const located = outcome?.located;
  const [position, setPosition] = useState<{ lat: number | null; lng: number | null }>({
    lat: located?.lat ?? profile.lat,
    lng: located?.lng ?? profile.lng,
  });
  const { form, fields } = usePlainForm<ProfileField>({
    id: "profile",
    lastResult: outcome?.reply ?? replyTo(result, "save") ?? replyTo(result, "locate"),
    defaultValue: {
      title: profile.title ?? "",
      licenceNumber: profile.licenceNumber ?? "",
      licenceAuthority: profile.licenceAuthority ?? "",
      boardCertifications: profile.boardCertifications,
      boardCertificationYear: profile.boardCertificationYear?.toString() ?? "",
      practiceStartYear: profile.practiceStartYear?.toString() ?? "",
      specialties: profile.specialties,
      languages: profile.languages,
      clinicName: profile.clinicName ?? "",
      streetAddress: profile.streetAddress ?? "",
      city: profile.city ?? "",
      country: profile.country ?? "",
      bio: profile.bio ?? "",
      phone: profile.phone ?? "",
      website: profile.website ?? "",
      education: profile.education,
      ...feeDefaults("inPerson", profile.inPersonFee),
      ...feeDefaults("teleconsultation", profile.teleconsultationFee),
    },
  });
  useEffect(() => {
    if (located) setPosition({ lat: located.lat, lng: located.lng });
  }, [located]);
  const [locateError, setLocateError] = useState<string | null>(null);
  async function locateCity() {
    const city = (document.getElementById(fields.city.id) as HTMLInputElement | null)?.value ?? "";
    const country =
      (document.getElementById(fields.country.id) as HTMLInputElement | null)?.value ?? "";
    const q = country.trim() ? `${city}, ${country.trim()}` : city;
    const response = await fetch(`/api/places?${new URLSearchParams({ q })}`);
    const places = response.ok ? ((await response.json()) as { lat: number; lng: number }[]) : [];
    if (places.length === 0) {
      setLocateError("We could not find this city. Check the spelling and the country code.");
      return;
    }
    setLocateError(null);
    setPosition({ lat: places[0]!.lat, lng: places[0]!.lng });
  }
  const onPin = useCallback((lat: number, lng: number) => setPosition({ lat, lng }), []);
  type TextField =
    | "title"
    | "licenceNumber"
    | "licenceAuthority"
    | "clinicName"
    | "streetAddress"
    | "city"
    | "country"
    | "phone"
    | "website";
  const text = (field: TextField, label: string, hint?: string) => {
    return <TextField field={fields[field]} label={label} hint={hint} />;
  };
  const { lat, lng } = position;
  return (
    <section className="panel">
      <h1>Your profile</h1>
      <p>
        {profile.status === "verified" && <span className="badge verified">Certified</span>}
        {profile.status === "pending" && (
          <span className="badge pending">Awaiting verification</span>
        )}
        {profile.status === "rejected" && (
          <span className="badge">
            Verification declined: {profile.rejectionReason ?? "no reason given"}
          </span>
        )}{" "}
        Changing your licence, certification (or its year), title, clinic name or photo sends the
        profile back to verification; education, years in practice, fees and the other details do
        not.
      </p>
      {outcome?.saved && (
        <p role="status" className="notice">
          Profile saved.{" "}
          {outcome.saved.backToVerification
            ? "It is awaiting verification and not listed until an administrator approves it."
            : ""}
        </p>
      )}
      <Form method="post" encType="multipart/form-data" className="form photo-form">
        <h2>Photo</h2>
        <DoctorAvatar
          id={profile.id}
          name={name}
          size={96}
          photo={profile.photoVersion ? `/doctor/profile/photo?v=${profile.photoVersion}` : null}
        />
        {photoOutcome && (
          <p role="status" className="notice">
            {photoOutcome.photo === "saved" ? "Photo saved." : "Photo removed."}{" "}
            {photoOutcome.saved.backToVerification
              ? "Your photo is part of your identity: the profile is awaiting verification and not listed until an administrator approves it."
              : ""}
          </p>
        )}
        <div className="field">
          <label htmlFor="photo">Profile photo</label>
          <small id="photo-hint">
            JPEG, PNG or WebP, up to {photoMaxMb} MB; shown square. A new photo is checked by an
            administrator before patients see it.
          </small>
          <input
            id="photo"
            name="photo"
            type="file"
            accept="image/jpeg,image/png,image/webp"
            aria-describedby={photoError ? "photo-hint photo-error" : "photo-hint"}
            aria-invalid={photoError ? true : undefined}
          />
          <FieldErrors id="photo-error" errors={photoError ? [photoError] : undefined} />
        </div>
        <p>
          <button type="submit" name="intent" value="photo">
            Upload photo
          </button>{" "}
          {profile.photoVersion && (
            <button type="submit" name="intent" value="remove-photo" className="secondary">
              Remove photo
            </button>
          )}
        </p>
      </Form>
      <Form method="post" className="form" {...form.props}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <p>
          Name: <strong>{name}</strong>
        </p>
        {text("title", "Title", "e.g. Dr, Prof")}
        {text("licenceNumber", "Licence number")}
        {text("licenceAuthority", "Issuing authority")}
        <Field
          id={fields.boardCertifications.id}
          label="Board certifications"
          hint="One per line."
          errors={fields.boardCertifications.errors}
          errorId={fields.boardCertifications.errorId}
        >
          <textarea {...controlProps(fields.boardCertifications)} rows={3} />
        </Field>
        <div className="year-row">
          <TextField
            field={fields.boardCertificationYear}
            label="Year of board certification"
            hint="Your first, e.g. 2009"
            inputMode="numeric"
          />
          <TextField
            field={fields.practiceStartYear}
            label="In practice since"
            hint="The year, e.g. 2007"
            inputMode="numeric"
          />
        </div>
        <CheckboxGroup
          legend="Specialties"
          name={fields.specialties.name}
          options={SPECIALTY_IDS.map((s) => ({ value: s, label: SPECIALTIES[s] }))}
          checked={profile.specialties}
          errors={fields.specialties.errors}
          errorId={fields.specialties.errorId}
        />
        <CheckboxGroup
          legend="Languages"
          name={fields.languages.name}
          options={LANGUAGES.map((l) => ({ value: l, label: l }))}
          checked={profile.languages}
          errors={fields.languages.errors}
          errorId={fields.languages.errorId}
        />
        {text("clinicName", "Clinic name")}
        {text("streetAddress", "Street address")}
        {text("city", "City")}
        {text("country", "Country code", "Two letters, e.g. FR")}
        <fieldset>
          <legend>Location on the map</legend>
          <p className="hint">Click the map or drag the pin; or set it from the city.</p>
          <button
            type="submit"
            name="intent"
            value="locate"
            className="secondary"
            formNoValidate
            onClick={(event) => {
              // With JavaScript, resolve the city in place instead of submitting the form.
              event.preventDefault();
              void locateCity();
            }}
          >
            Set the pin from the city
          </button>
          {locateError && (
            <p role="alert" className="error">
              {locateError}
            </p>
          )}
          <input type="hidden" name={fields.lat.name} value={lat ?? ""} />
          <input type="hidden" name={fields.lng.name} value={lng ?? ""} />
          <p aria-live="polite">
            {lat != null && lng != null
              ? `Pin at ${lat.toFixed(5)}, ${lng.toFixed(5)}`
              : "No location set yet."}
          </p>
          <FieldErrors
            id={fields.lat.errorId}
            errors={[...(fields.lat.errors ?? []), ...(fields.lng.errors ?? [])]}
          />
          <div className="map-frame small">
            <ClientOnly fallback={null}>
              {() => (
                <Suspense fallback={null}>
                  <PinMap tiles={tiles} lat={lat} lng={lng} onChange={onPin} />
                </Suspense>
              )}
            </ClientOnly>
          </div>
        </fieldset>
        <Checkbox
          name={fields.offersTeleconsultation.name}
          label="I offer teleconsultation"
          defaultChecked={profile.offersTeleconsultation}
        />
        <Checkbox
          name={fields.acceptsNewPatients.name}
          label="I am accepting new patients"
          defaultChecked={profile.acceptsNewPatients}
        />
        <Field
          id={fields.bio.id}
          label="Short bio"
          errors={fields.bio.errors}
          errorId={fields.bio.errorId}
        >
          <textarea {...controlProps(fields.bio)} rows={4} />
        </Field>
        <Field
          id={fields.education.id}
          label="Education and training"
          hint="One per line, e.g. “MD, Université de Lyon, 2004”."
          errors={fields.education.errors}
          errorId={fields.education.errorId}
        >
          <textarea {...controlProps(fields.education)} rows={4} />
        </Field>
        <fieldset>
          <legend>Consultation fees</legend>
          <p className="hint">
            Shown on your public page and in the finder. Leave “Not stated” to show none.
          </p>
          {FEE_KINDS.map((kind) => {
            const choice = fields[`${kind}Fee`];
            const amount = fields[`${kind}Amount`];
            const currency = fields[`${kind}Currency`];
            return (
              <div key={kind} className="fee-row">
                <Field
                  id={choice.id}
                  label={FEE_KIND_LABELS[kind]}
                  errors={choice.errors}
                  errorId={choice.errorId}
                >
                  <select {...controlProps(choice)}>
                    <option value="unstated">Not stated</option>
                    <option value="free">Free</option>
                    <option value="paid">Paid</option>
                  </select>
                </Field>
                <Field
                  id={amount.id}
                  label={`${FEE_KIND_LABELS[kind]} fee`}
                  hint="When paid, e.g. 80 or 49.50"
                  errors={amount.errors}
                  errorId={amount.errorId}
                >
                  <input {...controlProps(amount)} type="text" inputMode="decimal" />
                </Field>
                <Field
                  id={currency.id}
                  label={`${FEE_KIND_LABELS[kind]} currency`}
                  hint="e.g. EUR, USD, INR"
                  errors={currency.errors}
                  errorId={currency.errorId}
                >
                  <input {...controlProps(currency)} type="text" maxLength={3} />
                </Field>
              </div>
            );
          })}
        </fieldset>
        {text("phone", "Phone")}
        {text("website", "Website")}
        <button type="submit" name="intent" value="save">
          Save profile
        </button>
      </Form>
    </section>
  );
}

type ProfileField = Extract<keyof z.input<typeof ProfileSchema>, string>;

/** A one-line text input in a `Field` (label, hint, errors). */
function TextField({
  field,
  label,
  hint,
  inputMode,
}: {
  field: PlainField;
  label: string;
  hint?: string;
  inputMode?: "numeric";
}) {
  return (
    <Field id={field.id} label={label} hint={hint} errors={field.errors} errorId={field.errorId}>
      <input {...controlProps(field)} type="text" inputMode={inputMode} />
    </Field>
  );
}

/** The form's three fields of a stored fee. */
function feeDefaults(kind: (typeof FEE_KINDS)[number], fee: Fee | null) {
  return {
    [`${kind}Fee`]: fee?.kind ?? "unstated",
    [`${kind}Amount`]:
      fee?.kind === "paid" ? String(fee.amountMinor / 10 ** minorDigits(fee.currency)) : "",
    [`${kind}Currency`]: fee?.kind === "paid" ? fee.currency : "",
  };
}
