import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation, useSubmit } from "@remix-run/react";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { getOptionalUser } from "~/auth/guards.server";
import { notFound } from "~/errors/domain-error";
import { ClientOnly } from "~/components/client-only";
import { mapLinks, type MapHandle } from "~/map/links";
import { RADII, SORT_LABELS, SORTS } from "~/doctors/finder";
import { caseContext, findDoctors, parseFinderQuery } from "~/doctors/finder.server";
import { RANKING_WEIGHTS, RATING_PRIOR } from "~/doctors/ranking";
import { MIN_REPLIES_SHOWN, shownReplyMs } from "~/doctors/reply-time";
import {
  countryName,
  POSTAL_REGION_COUNTRIES_LABEL,
  POSTCODE_COUNTRIES_LABEL,
  regionOfLocale,
  type Place,
} from "~/geo/place-names";
import { SPECIALTIES, SPECIALTY_IDS, type Specialty } from "~/doctors/specialties";
import { LANGUAGES } from "~/doctors/languages";
import { mapTiles } from "~/env.server";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { handleLoader } from "~/http/pipeline.server";
import { DoctorAvatar, feeSummary, ReplyTime, summaryLines } from "~/components/doctor-details";
import { SelectField } from "~/components/select-field";
import type { FocusRequest } from "~/map/map.client";
import { yearsSummary } from "~/doctors/profile-details";

const DoctorMap = lazy(() => import("~/map/map.client"));

export const links = mapLinks;
// The map is shown with the results, once the search has a place.
export const handle: MapHandle = {
  showsMap: (data) =>
    Boolean((data as { result?: { origin?: unknown } } | undefined)?.result?.origin),
};

export const meta: MetaFunction = () => [{ title: "Find a hematologist · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const url = new URL(request.url);
    const query = parseFinderQuery(url.searchParams);
    const user = await getOptionalUser(request);
    let caseInfo = null;
    if (query.analysis) {
      if (!user) notFound();
      caseInfo = await caseContext(user, query.analysis);
    }
    const result = await findDoctors(query, caseInfo?.boosts ?? []);
    const { url: tileUrl, attribution } = mapTiles();
    return {
      query: { ...query, place: query.place ?? "" },
      result,
      caseInfo,
      tiles: { url: tileUrl, attribution },
    };
  });
}

const stars = (mean: number) =>
  "★★★★★".slice(0, Math.round(mean)) + "☆☆☆☆☆".slice(0, 5 - Math.round(mean));

export default function FinderPage() {
  const { query, result, caseInfo, tiles } = useLoaderData<typeof loader>();
  const [selected, setSelected] = useState<string | null>(null);
  // "Show on map" from a list item: the map opens that pin's popup and focuses the pin.
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const showOnMap = useCallback((id: string) => {
    setSelected(id);
    setFocus((f) => ({ id, seq: (f?.seq ?? 0) + 1 }));
  }, []);
  const [locating, setLocating] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const submit = useSubmit();
  const onSelect = useCallback((id: string) => {
    setSelected(id);
    document
      .getElementById(`doctor-${id}`)
      ?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, []);

  function locateMe() {
    if (!navigator.geolocation) {
      setLocating("Your browser cannot share its location: type a city or postcode instead.");
      return;
    }
    setLocating("Finding your location…");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(null);
        const form = new FormData(formRef.current!);
        form.delete("place");
        form.delete("near");
        form.set("lat", position.coords.latitude.toFixed(5));
        form.set("lng", position.coords.longitude.toFixed(5));
        submit(form, { method: "get" });
      },
      () => setLocating("Location was not shared: type a city or postcode instead."),
      { timeout: 10_000 },
    );
  }

  // "Find hematologists near me" (…&near=1): ask for the location at once; the form stays for
  // a city or postcode when it is refused or unavailable.
  const location = useLocation();
  const nearMe = new URLSearchParams(location.search).get("near") === "1" && !result.origin;
  useEffect(() => {
    if (nearMe) locateMe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nearMe]);

  // Once per search: a new array each render would make the map redraw its pins (and close
  // the open popup) whenever the selection changes.
  const markers = useMemo(() => {
    const shown = result.fallback
      ? [...result.fallback.nearest, ...result.fallback.remote]
      : result.doctors;
    return shown.map((d) => ({
      id: d.id,
      lat: d.lat,
      lng: d.lng,
      label: d.name,
      popup: {
        lines: summaryLines(d),
        href: doctorHref(d.id, query.analysis),
        linkText: "View profile",
      },
    }));
  }, [result, query.analysis]);
  // What every result list of the page shares: the case it links, the selection, the map link.
  const listing = {
    analysis: query.analysis,
    selected,
    onSelect: setSelected,
    onShowOnMap: showOnMap,
  };
  return (
    <>
      <section className="panel">
        <h1>Find a hematologist</h1>
        {caseInfo && (
          <p className="notice" role="note">
            Suggestions for your analysis (
            {CLASS_LABELS[caseInfo.topClass as keyof typeof CLASS_LABELS]}
            {caseInfo.child ? ", child" : ""}): doctors in{" "}
            {caseInfo.boosts.map((s) => SPECIALTIES[s as Specialty]).join(", ")} are ranked higher.
          </p>
        )}
        {/* Keyed by the search: after a new search (e.g. "Use my location") every field shows
            what was searched, not what was typed before. */}
        <Form method="get" ref={formRef} className="form finder-form" key={location.search}>
          {query.analysis && <input type="hidden" name="analysis" value={query.analysis} />}
          <RegionField region={query.region} />
          <div className="field">
            <label htmlFor="place">City or postcode</label>
            <input
              id="place"
              name="place"
              list="place-options"
              defaultValue={query.place}
              autoComplete="off"
              placeholder={
                query.lat !== undefined ? "Your location" : "e.g. Lyon, FR · 10001 · M5V 3L9"
              }
              aria-describedby="place-hint"
              onInput={(event) => suggestPlaces(event.currentTarget.value)}
            />
            <datalist id="place-options" />
            <small id="place-hint">
              Postcodes work offline for {POSTCODE_COUNTRIES_LABEL}, and by their area for{" "}
              {POSTAL_REGION_COUNTRIES_LABEL}; elsewhere, type your city. Places: GeoNames (CC BY
              4.0); Italian comuni: ISTAT (CC BY 3.0 IT).
            </small>
          </div>
          <ClientOnly>
            {() => (
              <p>
                <button type="button" className="secondary" onClick={locateMe}>
                  Use my location
                </button>{" "}
                <span role="status">{locating}</span>
              </p>
            )}
          </ClientOnly>
          <SelectField
            name="radius"
            label="Distance"
            defaultValue={String(query.radius)}
            options={RADII.map((r) => ({ value: String(r), label: `within ${r} km` }))}
          />
          <SelectField
            name="sort"
            label="Order"
            defaultValue={query.sort}
            options={SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))}
          />
          <details>
            <summary>Filters</summary>
            <SelectField
              name="specialty"
              label="Specialty"
              defaultValue={query.specialty ?? ""}
              any="Any"
              options={SPECIALTY_IDS.map((s) => ({ value: s, label: SPECIALTIES[s] }))}
            />
            <SelectField
              name="language"
              label="Language"
              defaultValue={query.language ?? ""}
              any="Any"
              options={LANGUAGES.map((l) => ({ value: l, label: l }))}
            />
            <div className="field">
              <label htmlFor="minRating">Minimum rating</label>
              <select id="minRating" name="minRating" defaultValue={String(query.minRating)}>
                <option value="0">Any</option>
                <option value="3">3 stars or more</option>
                <option value="4">4 stars or more</option>
                <option value="4.5">4.5 stars or more</option>
              </select>
            </div>
            <label>
              <input
                type="checkbox"
                name="teleconsultation"
                defaultChecked={query.teleconsultation}
              />{" "}
              Offers teleconsultation
            </label>
            <label>
              <input type="checkbox" name="accepting" defaultChecked={query.accepting} /> Accepting
              new patients
            </label>
          </details>
          <button type="submit">Search</button>
        </Form>
      </section>

      {result.placeNotFound && (
        <p className="panel error" role="alert">
          We could not find that city or postcode. Check the spelling or add the country code, e.g.
          &ldquo;Lyon, FR&rdquo;; postcodes are known for {POSTCODE_COUNTRIES_LABEL}, and by their
          area for {POSTAL_REGION_COUNTRIES_LABEL}: elsewhere, type your town.
        </p>
      )}

      {result.postcodeCountry && (
        <section className="panel error" role="alert" aria-labelledby="postcode-heading">
          <h2 id="postcode-heading">
            We cannot place postcodes of {countryName(result.postcodeCountry)} yet
          </h2>
          <p>
            Type your town or city instead, e.g. &ldquo;
            {EXAMPLE_TOWNS[result.postcodeCountry] ?? "Lyon"}, {result.postcodeCountry}&rdquo;.
            Postcodes are known offline for {POSTCODE_COUNTRIES_LABEL}, and by their area for{" "}
            {POSTAL_REGION_COUNTRIES_LABEL}; this one is in no area we know.
          </p>
          {result.otherPlaces.length > 0 && (
            <p>
              &ldquo;{query.place}&rdquo; is also a postcode in{" "}
              <PlaceLinks places={result.otherPlaces} search={location.search} />.
            </p>
          )}
        </section>
      )}

      {!result.origin && !result.postcodeCountry && result.otherPlaces.length > 0 && (
        <section className="panel" aria-labelledby="choices-heading">
          <h2 id="choices-heading">
            &ldquo;{query.place}&rdquo; is a postcode in several countries
          </h2>
          <p>Which place do you mean?</p>
          <ul className="place-choices">
            {result.otherPlaces.map((p) => (
              <li key={p.country}>
                <Link to={withPlace(location.search, p)}>{placeLabel(p)}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}

      {result.origin && (
        <section className="panel finder-results" aria-labelledby="results-heading">
          <h2 id="results-heading">
            {result.doctors.length} certified{" "}
            {result.doctors.length === 1 ? "hematologist" : "hematologists"} within{" "}
            {result.radiusKm} km of {result.origin.label}
          </h2>
          {result.otherPlaces.length > 0 && (
            <p>
              Not this {query.place}? The postcode is also{" "}
              <PlaceLinks places={result.otherPlaces} search={location.search} />.
            </p>
          )}
          {result.widenedFrom && (
            <p role="status">
              Fewer than 5 doctors within {result.widenedFrom} km, so we widened the search to{" "}
              {result.radiusKm} km.
            </p>
          )}
          <ActiveFilters query={query} search={location.search} />
          {result.fallback && (
            <div className="finder-fallback" role="status">
              <p>
                Nobody matching your search practises within {result.radiusKm} km.{" "}
                {result.fallback.nearest.length + result.fallback.remote.length > 0
                  ? "A teleconsultation does not depend on distance: these doctors can still help."
                  : "Try fewer filters, or another place."}
              </p>
              {[
                { title: "The nearest certified hematologists", doctors: result.fallback.nearest },
                {
                  title: "Hematologists who answer by teleconsultation",
                  doctors: result.fallback.remote,
                },
              ].map(({ title, doctors }) => (
                <FallbackList key={title} title={title} doctors={doctors} {...listing} />
              ))}
            </div>
          )}
          <div className="finder-layout">
            <DoctorList doctors={result.doctors} {...listing} />
            <div className="map-frame">
              <ClientOnly fallback={<p>The map needs JavaScript; the list has every result.</p>}>
                {() => (
                  <Suspense fallback={<p>Loading the map…</p>}>
                    <DoctorMap
                      tiles={tiles}
                      markers={markers}
                      you={result.origin}
                      selected={selected}
                      onSelect={onSelect}
                      focus={focus}
                    />
                  </Suspense>
                )}
              </ClientOnly>
            </div>
          </div>
          {result.more && (
            <p>
              <Link to={morePages(location.search, query.pages)} preventScrollReset>
                Show more doctors
              </Link>
            </p>
          )}
        </section>
      )}

      <section className="panel" aria-labelledby="ranking-heading">
        <h2 id="ranking-heading">How ranking works</h2>
        <p>
          Only doctors whose licence and board certification an administrator has verified are
          listed. Each is scored: {Math.round(RANKING_WEIGHTS.proximity * 100)}% closeness within
          the radius, {Math.round(RANKING_WEIGHTS.rating * 100)}% rating,{" "}
          {Math.round(RANKING_WEIGHTS.specialty * 100)}% a specialty that fits your case, and small
          boosts for teleconsultation and accepting new patients. Ratings are shrunk towards{" "}
          {RATING_PRIOR.mean.toFixed(1)} stars as if every doctor had {RATING_PRIOR.weight} extra
          reviews of that value, so one 5-star review does not beat forty 4.7s. &ldquo;Fastest reply
          first&rdquo; orders the same doctors by their median time from a request to their first
          reply, once they have answered at least {MIN_REPLIES_SHOWN} consultations; the others
          follow. Nobody can pay for placement.
        </p>
      </section>
    </>
  );
}

const replyTimeShown = (d: Hit) => shownReplyMs(d) !== null;

type Hit = ReturnType<typeof useLoaderData<typeof loader>>["result"]["doctors"][number];

const doctorHref = (id: string, analysis: string | undefined) =>
  `/doctors/${id}${analysis ? `?analysis=${analysis}` : ""}`;

/** A town to suggest typing, for the countries whose postcodes are not known. */
const EXAMPLE_TOWNS: Record<string, string> = {
  DE: "Berlin",
  GB: "London",
  ES: "Madrid",
  NL: "Amsterdam",
  BE: "Bruxelles",
  CH: "Zürich",
  AT: "Wien",
  BR: "São Paulo",
  JP: "Tokyo",
};

/** "75001 Paris, France". */
const placeLabel = (p: Place) => `${p.name}, ${countryName(p.country)}`;

/** The same search at another place ("75001 Paris, FR": the country makes it one place). */
function withPlace(search: string, p: Place): string {
  const params = new URLSearchParams(search);
  params.set("place", `${p.name}, ${p.country}`);
  for (const stale of ["near", "lat", "lng", "pages"]) params.delete(stale);
  return `?${params}`;
}

/** The other places a postcode names, each a link to the same search there: "A or B". */
function PlaceLinks({ places, search }: { places: Place[]; search: string }) {
  return (
    <>
      {places.map((p, i) => (
        <span key={p.country}>
          {i > 0 ? " or " : ""}
          <Link to={withPlace(search, p)}>{placeLabel(p)}</Link>
        </span>
      ))}
    </>
  );
}

/**
 * The searcher's country for a postcode several countries use: the one searched with, else
 * the browser's locale once the page runs (without JavaScript the page asks instead).
 */
function RegionField({ region }: { region: string | undefined }) {
  const [value, setValue] = useState(region ?? "");
  useEffect(() => {
    if (!region) setValue(regionOfLocale(navigator.language) ?? "");
  }, [region]);
  return <input type="hidden" name="region" value={value} />;
}

/** The same search with one more page of results. */
function morePages(search: string, pages: number): string {
  const params = new URLSearchParams(search);
  params.set("pages", String(pages + 1));
  params.delete("near");
  return `?${params}`;
}

/** The filters in force, each a link that removes it (works without JavaScript). */
function ActiveFilters({
  query,
  search,
}: {
  query: ReturnType<typeof useLoaderData<typeof loader>>["query"];
  search: string;
}) {
  const chips: { label: string; param: string }[] = [];
  if (query.specialty)
    chips.push({ label: SPECIALTIES[query.specialty as Specialty], param: "specialty" });
  if (query.language) chips.push({ label: `Speaks ${query.language}`, param: "language" });
  if (query.minRating) chips.push({ label: `${query.minRating}★ or more`, param: "minRating" });
  if (query.teleconsultation) chips.push({ label: "Teleconsultation", param: "teleconsultation" });
  if (query.accepting) chips.push({ label: "Accepting new patients", param: "accepting" });
  if (chips.length === 0) return null;
  const without = (param: string) => {
    const params = new URLSearchParams(search);
    params.delete(param);
    params.delete("near");
    return `?${params}`;
  };
  return (
    <ul className="filter-chips" aria-label="Active filters">
      {chips.map((c) => (
        <li key={c.param}>
          <Link to={without(c.param)} aria-label={`Remove filter: ${c.label}`}>
            {c.label} <span aria-hidden="true">✕</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

type ListProps = {
  doctors: Hit[];
  analysis: string | undefined;
  selected: string | null;
  onSelect: (id: string) => void;
  onShowOnMap: (id: string) => void;
};

/** A result list: a card a doctor, the selected one marked. */
function DoctorList({ doctors, analysis, selected, onSelect, onShowOnMap }: ListProps) {
  return (
    <ol className="doctor-list">
      {doctors.map((d) => (
        <DoctorCard
          key={d.id}
          doctor={d}
          analysis={analysis}
          selected={selected === d.id}
          onSelect={onSelect}
          onShowOnMap={onShowOnMap}
        />
      ))}
    </ol>
  );
}

/** A titled list of doctors offered when the radius search found nobody (nothing when empty). */
function FallbackList({ title, ...list }: { title: string } & ListProps) {
  if (list.doctors.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <DoctorList {...list} />
    </>
  );
}

/** One doctor in a result list: name, clinic, distance, rating, why recommended, share link. */
function DoctorCard({
  doctor: d,
  analysis,
  selected,
  onSelect,
  onShowOnMap,
}: {
  doctor: Hit;
  analysis: string | undefined;
  selected: boolean;
  onSelect: (id: string) => void;
  onShowOnMap: (id: string) => void;
}) {
  return (
    <li
      id={`doctor-${d.id}`}
      className={selected ? "doctor selected" : "doctor"}
      onMouseEnter={() => onSelect(d.id)}
      onFocus={() => onSelect(d.id)}
    >
      <h3>
        <DoctorAvatar
          id={d.id}
          name={d.name}
          size={32}
          photo={d.hasPhoto ? `/doctors/${d.id}/photo` : null}
        />{" "}
        <Link to={doctorHref(d.id, analysis)}>{d.name}</Link>{" "}
        <span className="badge verified">Certified</span>
      </h3>
      <p>
        {d.clinicName} · {d.city}, {d.country} ·{" "}
        <strong className="distance">{d.distanceKm.toFixed(1)} km</strong>
      </p>
      <p>
        {d.ratingCount > 0 && d.ratingMean !== null ? (
          <span
            aria-label={`Rated ${d.ratingMean.toFixed(1)} out of 5 from ${d.ratingCount} reviews`}
          >
            <span aria-hidden="true">{stars(d.ratingMean)}</span> {d.ratingMean.toFixed(1)} (
            {d.ratingCount})
          </span>
        ) : (
          "No reviews yet"
        )}
      </p>
      <p>
        {d.specialties.map((s) => SPECIALTIES[s as Specialty] ?? s).join(", ")} ·{" "}
        {d.languages.join(", ")}
        {d.offersTeleconsultation ? " · Teleconsultation" : ""}
        {d.acceptsNewPatients ? "" : " · Not accepting new patients"}
      </p>
      {yearsSummary(d) && <p className="doctor-years">{yearsSummary(d)}</p>}
      {(replyTimeShown(d) || feeSummary(d)) && (
        <p className="doctor-extras">
          <ReplyTime stats={d} />
          {replyTimeShown(d) && feeSummary(d) ? " · " : ""}
          {feeSummary(d)}
        </p>
      )}
      <p className="why">Why recommended: {d.why.join("; ")}</p>
      <ClientOnly>
        {() => (
          <p>
            <button
              type="button"
              className="secondary"
              aria-label={`Show ${d.name} on the map`}
              onClick={() => onShowOnMap(d.id)}
            >
              Show on map
            </button>
          </p>
        )}
      </ClientOnly>
      {analysis && d.offersTeleconsultation && (
        <p>
          <Link to={`/consultations/new?doctor=${d.id}&analysis=${analysis}`}>
            Share this case with {d.name}
          </Link>
        </p>
      )}
    </li>
  );
}

let suggestTimer: ReturnType<typeof setTimeout> | undefined;
function suggestPlaces(text: string) {
  clearTimeout(suggestTimer);
  if (text.trim().length < 2) return;
  suggestTimer = setTimeout(async () => {
    const response = await fetch(`/api/places?${new URLSearchParams({ q: text })}`);
    if (!response.ok) return;
    const places = (await response.json()) as { label: string }[];
    const list = document.getElementById("place-options");
    if (!list) return;
    list.replaceChildren(
      ...places.map((p) => {
        const option = document.createElement("option");
        option.value = p.label;
        return option;
      }),
    );
  }, 150);
}
