import { getFormProps, getTextareaProps } from "@conform-to/react";
import type { z } from "zod";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { requireRole } from "~/auth/guards.server";
import { ClientOnly } from "~/components/client-only";
import { mapLinks } from "~/map/links";
import {
  Checkbox,
  CheckboxGroup,
  Field,
  FieldErrors,
  FormErrors,
  InputField,
  replyTo,
  useServerForm,
} from "~/components/forms";
import { getOwnProfile, updateOwnProfile } from "~/doctors/profile.server";
import { SPECIALTIES, SPECIALTY_IDS } from "~/doctors/specialties";
import { LANGUAGES } from "~/doctors/languages";
import { LocateSchema, ProfileSchema } from "~/doctors/validation";
import { invalid } from "~/errors/domain-error";
import { mapTiles } from "~/env.server";
import { resolvePlace } from "~/geo/gazetteer.server";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

const PinMap = lazy(() => import("~/map/map.client").then((m) => ({ default: m.PinMap })));

export const links = mapLinks;

export const meta: MetaFunction = () => [{ title: "Your profile · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
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
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    intents: {
      save: intent(ProfileSchema, ({ user, value, submission }) => {
        const saved = updateOwnProfile(user, value);
        return { reply: submission.reply(), located: null, saved };
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
  const { name, profile, tiles } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const outcome = result && "saved" in result ? result : null;
  const located = outcome?.located;
  const [position, setPosition] = useState<{ lat: number | null; lng: number | null }>({
    lat: located?.lat ?? profile.lat,
    lng: located?.lng ?? profile.lng,
  });
  const [form, fields] = useServerForm<z.input<typeof ProfileSchema>>({
    id: "profile",
    lastResult: outcome?.reply ?? replyTo(result, "save") ?? replyTo(result, "locate"),
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
    return <InputField field={fields[field]} label={label} type="text" hint={hint} />;
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
        Changing your licence, certification, title or clinic name sends the profile back to
        verification.
      </p>
      {outcome?.saved && (
        <p role="status" className="notice">
          Profile saved.{" "}
          {outcome.saved.backToVerification
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
