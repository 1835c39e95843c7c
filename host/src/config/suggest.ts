// "Did you mean ...": the closest known names to a misspelt one, by edit distance.
import { distance } from "fastest-levenshtein";

/**
 * The known names closest to `name` by edit distance (ties all kept, up to `limit`). A
 * name counts as close when at most a third of its characters (and at least two) differ.
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const lowered = name.toLowerCase();
  const budget = Math.max(2, Math.floor(name.length / 3));
  const scored: { candidate: string; cost: number }[] = [];
  for (const candidate of new Set(known)) {
    const cost = distance(lowered, candidate.toLowerCase());
    if (cost <= budget) scored.push({ candidate, cost });
  }
  const best = Math.min(...scored.map((s) => s.cost));
  return scored
    .filter((s) => s.cost === best)
    .map((s) => s.candidate)
    .sort()
    .slice(0, limit);
}

/** ` (did you mean 'column'?)`, or an empty string when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const close = closestNames(name, known);
  if (close.length === 0) return "";
  return ` (did you mean ${close.map((c) => `'${c}'`).join(" or ")}?)`;
}
