/**
 * Small pieces of a doctor's profile shared by the public page and the finder's cards and
 * map: the drawn initials avatar, the reply time, the fees and the map popup's lines.
 */
import { FEE_KINDS, FEE_KIND_LABELS, formatFee, type Fee } from "~/doctors/fees";
import { certificationLabel, practiceLabel, type ProfileYears } from "~/doctors/profile-details";
import { replyTimeLabel, type ReplyStats } from "~/doctors/reply-time";
import { SPECIALTIES, type Specialty } from "~/doctors/specialties";

/** "Amira Haddad" → "AH"; the title ("Dr", "Prof.") is not part of the initials. */
export function initials(name: string): string {
  const words = name
    .replace(/^(dr|prof|professor|mr|mrs|ms)\.?\s+/i, "")
    .split(/\s+/)
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words.slice(0, 1);
  return letters.map((w) => [...w][0]!.toLocaleUpperCase()).join("");
}

/** Colours with white text at a contrast of at least 4.5:1. */
const AVATAR_COLOURS = ["#1d4ed8", "#0f766e", "#7c3aed", "#b91c1c", "#a16207", "#be185d"];

function colourFor(id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length]!;
}

/**
 * The doctor's photo, or a circle with their initials; decorative either way (the name is
 * always written beside it). `photo` is the photo's address when there is one.
 */
export function DoctorAvatar({
  id,
  name,
  size = 48,
  photo,
}: {
  id: string;
  name: string;
  size?: number;
  photo?: string | null;
}) {
  if (photo)
    return (
      <img className="doctor-avatar" src={photo} alt="" width={size} height={size} loading="lazy" />
    );
  return (
    <svg
      className="doctor-avatar"
      width={size}
      height={size}
      viewBox="0 0 48 48"
      aria-hidden="true"
      focusable="false"
    >
      <circle cx="24" cy="24" r="24" fill={colourFor(id)} />
      <text
        x="24"
        y="24"
        dy="0.35em"
        textAnchor="middle"
        fontSize="18"
        fontWeight="600"
        fill="#fff"
        fontFamily="system-ui, sans-serif"
      >
        {initials(name)}
      </text>
    </svg>
  );
}

/** "Usually replies within 5 hours", or nothing while there are too few answered cases. */
export function ReplyTime({ stats }: { stats: ReplyStats }) {
  const label = replyTimeLabel(stats);
  return label ? <span className="reply-time">{label}</span> : null;
}

type Fees = { inPersonFee: Fee | null; teleconsultationFee: Fee | null };

const feeOfKind = (fees: Fees, kind: (typeof FEE_KINDS)[number]) =>
  kind === "inPerson" ? fees.inPersonFee : fees.teleconsultationFee;

/** "In person €80 · Teleconsultation free"; empty when no fee is stated. */
export function feeSummary(fees: Fees): string {
  return FEE_KINDS.flatMap((kind) => {
    const fee = feeOfKind(fees, kind);
    if (!fee) return [];
    return [`${FEE_KIND_LABELS[kind]} ${fee.kind === "free" ? "free" : formatFee(fee)}`];
  }).join(" · ");
}

type Summary = Fees &
  ReplyStats &
  ProfileYears & {
    specialties: string[];
    languages: string[];
    ratingCount: number;
    ratingMean: number | null;
    distanceKm: number;
  };

/**
 * What a map popup says of a doctor, a short line each: specialties and certification,
 * years in practice, languages, reply time, fees, rating and distance (only what is stated).
 */
export function summaryLines(d: Summary): string[] {
  const specialties = d.specialties.map((s) => SPECIALTIES[s as Specialty] ?? s).join(", ");
  const certified = certificationLabel(d.boardCertificationYear);
  return [
    [specialties, certified].filter(Boolean).join(" · "),
    practiceLabel(d.practiceStartYear),
    d.languages.length > 0 ? `Speaks ${d.languages.join(", ")}` : null,
    replyTimeLabel(d),
    feeSummary(d) || null,
    d.ratingCount > 0 && d.ratingMean !== null
      ? `Rated ${d.ratingMean.toFixed(1)} of 5 (${d.ratingCount} ${d.ratingCount === 1 ? "review" : "reviews"})`
      : "No reviews yet",
    `${d.distanceKm.toFixed(1)} km away`,
  ].filter((line): line is string => Boolean(line));
}
