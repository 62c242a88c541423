import type { Rating as RatingOut } from "../types";

// The visitor's rating of a chat (features/csat), as the conversation view and Visitor 360
// show it: "Good" / "Okay" / "Bad" of three, "4/5" of five stars, and their comment.
const FACES = ["Bad", "Okay", "Good"];

export function ratingText(r: RatingOut): string {
  return r.scale === 3 ? (FACES[r.score - 1] ?? String(r.score)) : `${r.score}/5`;
}

function satisfied(r: RatingOut): boolean {
  return r.score * 5 >= r.scale * 4; // as the server and reports count it
}

/** A chip: "Rated Good", "Rated 4/5 ★"; the comment in its title. */
export function RatingChip(props: { rating: RatingOut | null | undefined }) {
  const r = props.rating;
  if (!r) return null;
  const label = `Rated ${ratingText(r)}${r.scale === 5 ? " ★" : ""}`;
  return (
    <span class={`status-chip ${satisfied(r) ? "chip-rated-good" : r.score === 1 ? "chip-rated-bad" : "chip-rated"}`} title={r.comment ?? undefined}>
      {label}
    </span>
  );
}

/** The rating with its comment, under an ended conversation. */
export function RatingNote(props: { rating: RatingOut | null | undefined }) {
  const r = props.rating;
  if (!r) return null;
  return (
    <div class="rating-note" role="note" aria-label="Visitor's rating">
      <RatingChip rating={r} />
      {r.comment ? <q class="rating-comment">{r.comment}</q> : <span class="muted small">No comment</span>}
    </div>
  );
}
