import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { z } from "zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { requireRole, requireSameOrigin } from "~/auth/guards.server";
import { ClientOnly } from "~/components/client-only";
import { mapLinks } from "~/map/links";
import { CheckboxGroup, Field, FieldErrors, FormErrors } from "~/components/forms";
import { getOwnProfile, updateOwnProfile } from "~/doctors/profile.server";
import { SPECIALTIES, SPECIALTY_IDS } from "~/doctors/specialties";
import { LANGUAGES } from "~/doctors/languages";
import { ProfileSchema } from "~/doctors/validation";
import { mapTiles } from "~/env.server";
import { resolvePlace } from "~/geo/gazetteer.server";
import { clientIp } from "~/security/request.server";

const PinMap = lazy(() => import("~/map/map.client").then((m) => ({ default: m.PinMap })));

export const links = mapLinks;

export const meta: MetaFunction = () => [{ title: "Your profile · HemaLink" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "doctor");
  const profile = getOwnProfile(user);
  const { url, attribution } = mapTiles();
  return {
    name: user.displayName,
    profile: {
      ...profile,
      boardCertifications: profile.boardCertifications.join("\n"),
      verifiedAt: profile.verifiedAt?.toISOString() ?? null,
    },
    tiles: { url, attribution },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, "doctor");
  const form = await request.formData();
  const submission = parseWithZod(form, { schema: ProfileSchema });
  if (form.get("intent") === "locate") {
    // "Set the pin from the city" without JavaScript: resolve the typed city offline.
    const city = String(form.get("city") ?? "");
    const country = String(form.get("country") ?? "")
      .trim()
      .toUpperCase();
    const place = resolvePlace(country ? `${city}, ${country}` : city);
    if (!place) {
      return data(
        {
          reply: submission.reply({
            fieldErrors: {
              city: ["We could not find this city. Check the spelling and the country code."],
            },
          }),
          located: null,
          saved: null,
        },
        { status: 400 },
      );
    }
    return data({ reply: submission.reply({ resetForm: false }), located: place, saved: null });
  }
  if (submission.status !== "success") {
    return data({ reply: submission.reply(), located: null, saved: null }, { status: 400 });
  }
  const saved = updateOwnProfile(user, submission.value, clientIp(request, context));
  return data({ reply: submission.reply(), located: null, saved });
}

export default function DoctorProfilePage() {
  const { name, profile, tiles } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [position, setPosition] = useState<{ lat: number | null; lng: number | null }>({
    lat: result?.located?.lat ?? profile.lat,
    lng: result?.located?.lng ?? profile.lng,
  });
  const [form, fields] = useForm<z.input<typeof ProfileSchema>>({
    id: "profile",
    lastResult: result?.reply,
    defaultValue: {
      title: profile.title ?? "",
      licenceNumber: profile.licenceNumber ?? "",
      licenceAuthority: profile.licenceAuthority ?? "",
      boardCertifications: profile.boardCertifications,
      specialties: profile.specialties,
      languages: profile.languages,
      clinicName: profile.clinicName ?? "",
      streetAddress: profile.streetAddress ?? "",
      city: profile.city ?? "",
      country: profile.country ?? "",
      bio: profile.bio ?? "",
      phone: profile.phone ?? "",
      website: profile.website ?? "",
    },
    // Validated on the server when submitted (the action's reply): no schema library in the
    // browser bundle, and no request per blur or keystroke.
    shouldValidate: "onSubmit",
  });
  useEffect(() => {
    if (result?.located) setPosition({ lat: result.located.lat, lng: result.located.lng });
  }, [result]);
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
    const f = fields[field];
    return (
      <Field id={f.id} label={label} errors={f.errors} errorId={f.errorId} hint={hint}>
        <input {...getInputProps(f, { type: "text" })} />
      </Field>
    );
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
        Changing your licence or certification sends the profile back to verification.
      </p>
      {result?.saved && (
        <p role="status" className="notice">
          Profile saved.{" "}
          {result.saved.backToVerification
            ? "It is awaiting verification and not listed until an administrator approves it."
            : ""}
        </p>
      )}
      <Form method="post" className="form" {...getFormProps(form)}>
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
          <textarea {...getTextareaProps(fields.boardCertifications)} rows={3} />
        </Field>
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
        <label className="inline">
          <input
            type="checkbox"
            name={fields.offersTeleconsultation.name}
            defaultChecked={profile.offersTeleconsultation}
          />{" "}
          I offer teleconsultation
        </label>
        <label className="inline">
          <input
            type="checkbox"
            name={fields.acceptsNewPatients.name}
            defaultChecked={profile.acceptsNewPatients}
          />{" "}
          I am accepting new patients
        </label>
        <Field
          id={fields.bio.id}
          label="Short bio"
          errors={fields.bio.errors}
          errorId={fields.bio.errorId}
        >
          <textarea {...getTextareaProps(fields.bio)} rows={4} />
        </Field>
        {text("phone", "Phone")}
        {text("website", "Website")}
        <button type="submit" name="intent" value="save">
          Save profile
        </button>
      </Form>
    </section>
  );
}
