// "Did you mean ...": the closest known names to a misspelt one, by edit distance.
import { distance } from "fastest-levenshtein";

/**
 * Known names within a small edit distance of `name`, closest first. A name counts
 * as close when at most a third of its characters (and at least two) differ.
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const lowered = name.toLowerCase();
  const budget = Math.max(2, Math.floor(name.length / 3));
  const scored: { candidate: string; cost: number }[] = [];
  for (const candidate of new Set(known)) {
    const cost = distance(lowered, candidate.toLowerCase());
    if (cost <= budget) scored.push({ candidate, cost });
  }
  scored.sort((a, b) => a.cost - b.cost || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** ` (did you mean 'column'?)`, or an empty string when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const close = closestNames(name, known);
  if (close.length === 0) return "";
  return ` (did you mean ${close.map((c) => `'${c}'`).join(" or ")}?)`;
}
