import type { LoaderFunctionArgs } from "@remix-run/node";
import { searchPlaces } from "~/geo/gazetteer.server";
import { handleLoader } from "~/http/pipeline.server";

/** City and postcode autocomplete from the offline gazetteer (no outside service). */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const q = new URL(request.url).searchParams.get("q") ?? "";
    if (q.length > 120) return Response.json({ message: "Query too long" }, { status: 400 });
    const places = searchPlaces(q, 8).map((p) => ({
      label: `${p.name}, ${p.country}`,
      lat: p.lat,
      lng: p.lng,
    }));
    return Response.json(places, { headers: { "Cache-Control": "public, max-age=3600" } });
  });
}
