import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";

export const meta: MetaFunction = () => [{ title: "Capture guide · HemaLink" }];

/** Deterministic pseudo-random positions, so the drawings are the same on every render. */
function scatter(seed: number, count: number, size: number, margin: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: count }, () => ({
    x: margin + next() * (size - 2 * margin),
    y: margin + next() * (size - 2 * margin),
    t: next(),
  }));
}

type Drawing = { redRadius: number; cells: number; white: number; blur?: boolean; seed: number };

/** A drawn field of view: red cells with pale centres, purple white cells, a round field stop. */
function Field({ redRadius, cells, white, blur, seed }: Drawing) {
  const size = 200;
  const filter = blur ? "url(#guide-blur)" : undefined;
  return (
    <svg viewBox={`0 0 ${size} ${size}`} width="180" height="180" aria-hidden="true">
      <defs>
        <clipPath id={`guide-stop-${seed}`}>
          <circle cx={size / 2} cy={size / 2} r={size / 2 - 4} />
        </clipPath>
        <filter id="guide-blur">
          <feGaussianBlur stdDeviation="2.5" />
        </filter>
      </defs>
      <rect width={size} height={size} fill="#111" />
      <g clipPath={`url(#guide-stop-${seed})`} filter={filter}>
        <rect width={size} height={size} fill="#eee6ea" />
        {scatter(seed, cells, size, 0).map((c, i) => (
          <g key={i}>
            <circle cx={c.x} cy={c.y} r={redRadius} fill="#d9a0b0" />
            <circle cx={c.x} cy={c.y} r={redRadius * 0.45} fill="#e8c7d0" />
          </g>
        ))}
        {scatter(seed + 7, white, size, 30).map((c, i) => (
          <g key={`w${i}`}>
            <circle cx={c.x} cy={c.y} r={redRadius * 1.8} fill="#c9b8e0" />
            <circle cx={c.x + 1} cy={c.y} r={redRadius * 1.4} fill="#5b3a8c" />
          </g>
        ))}
      </g>
    </svg>
  );
}

const EXAMPLES: { title: string; good: boolean; text: string; drawing: Drawing }[] = [
  {
    title: "Good",
    good: true,
    text: "Thin part of the film, 100× oil objective, the whole round field in the photo: many red cells side by side, one or more purple white cells, sharp edges.",
    drawing: { redRadius: 8, cells: 70, white: 2, seed: 3 },
  },
  {
    title: "Too close",
    good: false,
    text: "Zoomed in on one cell (or a cropped single-cell image): too few red cells to measure the scale. Photograph the whole field instead.",
    drawing: { redRadius: 34, cells: 6, white: 1, seed: 5 },
  },
  {
    title: "Out of focus",
    good: false,
    text: "Blurred edges hide the cell detail the model needs. Use the fine-focus knob and hold the phone still.",
    drawing: { redRadius: 8, cells: 70, white: 2, blur: true, seed: 9 },
  },
  {
    title: "No white cell",
    good: false,
    text: "The staging is judged on white cells: move the slide until a purple-stained cell is in view.",
    drawing: { redRadius: 8, cells: 75, white: 0, seed: 11 },
  },
];

export default function CaptureGuidePage() {
  return (
    <>
      <section className="panel">
        <h1>Capture guide: a smear photo the model can assess</h1>
        <p>
          HemaLink's model stages only images it can stand behind. It measures the red cells (about
          7.5 µm across, the ruler every smear carries) to correct the magnification, evens out the
          light and the colour of the background, and refuses the rest with a reason. These steps
          give it the best chance.
        </p>
        <ol>
          <li>
            <strong>Stain</strong>: a peripheral blood film stained with Wright, Giemsa or
            May-Grünwald-Giemsa, as a laboratory prepares it.
          </li>
          <li>
            <strong>Where on the slide</strong>: the thin part of the film (the “monolayer”), where
            red cells lie side by side and barely touch.
          </li>
          <li>
            <strong>Objective</strong>: the 100× oil-immersion objective, as for a manual
            differential; the model was validated for fields at about that magnification.
          </li>
          <li>
            <strong>Light</strong>: bright, even light; the background should look white or very
            pale, not grey and not glaring.
          </li>
          <li>
            <strong>Send the original photo</strong>, not a screenshot, a thumbnail or a photo of a
            screen.
          </li>
        </ol>
      </section>
      <section className="panel" aria-labelledby="phone-heading">
        <h2 id="phone-heading">Holding a phone to the eyepiece</h2>
        <figure className="guide-phone">
          <svg
            viewBox="0 0 320 150"
            width="320"
            height="150"
            role="img"
            aria-labelledby="phone-svg"
          >
            <title id="phone-svg">A phone held flat over the microscope eyepiece</title>
            <rect x="40" y="62" width="70" height="80" rx="6" fill="#555" />
            <rect x="55" y="32" width="40" height="32" rx="4" fill="#777" />
            <rect x="15" y="12" width="120" height="14" rx="4" fill="#2563eb" />
            <circle cx="75" cy="19" r="4" fill="#111" />
            <path d="M150 75 h30 l-8 -6 m8 6 l-8 6" stroke="#333" strokeWidth="2" fill="none" />
            <rect x="195" y="5" width="110" height="140" rx="10" fill="#222" />
            <defs>
              <clipPath id="guide-phone-field">
                <circle cx="250" cy="75" r="48" />
              </clipPath>
            </defs>
            <g clipPath="url(#guide-phone-field)">
              <rect x="200" y="25" width="100" height="100" fill="#eee6ea" />
              {scatter(21, 16, 96, 0).map((c, i) => (
                <circle key={i} cx={202 + c.x} cy={27 + c.y} r="6" fill="#d9a0b0" />
              ))}
              <circle cx="262" cy="70" r="9" fill="#5b3a8c" />
            </g>
          </svg>
          <figcaption>
            The phone's camera lens sits on the eyepiece's axis; on the screen, the round field of
            view fills the middle of the picture.
          </figcaption>
        </figure>
        <ol>
          <li>Focus the microscope by eye first.</li>
          <li>
            Hold the phone's main camera flat over the eyepiece, about 1 cm away, centred until the
            bright circle appears; move closer until the circle fills most of the screen.
          </li>
          <li>Zoom the phone's camera a little if the circle is small; do not crop the circle.</li>
          <li>
            Tap to focus on the cells and keep the phone still (a clip-on adapter helps). A darker
            rim and a warm colour are fine: the app corrects them.
          </li>
          <li>On an iPhone, choose “Most compatible” (JPEG) under Settings › Camera › Formats.</li>
        </ol>
      </section>
      <section className="panel" aria-labelledby="examples-heading">
        <h2 id="examples-heading">Good and bad pictures (drawings)</h2>
        <ul className="guide-examples">
          {EXAMPLES.map((e) => (
            <li key={e.title}>
              <Field {...e.drawing} />
              <p>
                <strong className={e.good ? "ok" : "bad"}>
                  {e.good ? "✓" : "✗"} {e.title}
                </strong>
                <br />
                {e.text}
              </p>
            </li>
          ))}
        </ul>
        <p>
          When the model still cannot assess a photo, it is not a normal result: share the image
          with a hematologist, who can judge it whatever the microscope or stain.
        </p>
        <p>
          <Link className="button" to="/analyses/new">
            Analyse a smear
          </Link>
        </p>
      </section>
    </>
  );
}
