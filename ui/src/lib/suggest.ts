// "Did you mean" for an id nobody knows: the known ids closest to it. Pure.

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= t.length; j += 1) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[t.length];
}

/** The name part of `YYYYMMDDHHMMSS_name` (the whole text when it has no such prefix). */
export function namePart(id: string): string {
  const match = /^\d{14}[_-](.*)$/.exec(id);
  return match ? match[1] : id;
}

/**
 * Up to `max` known ids that `wanted` probably meant, best first: ids it is a prefix or a part
 * of (a shortened or mistyped id), then ids whose whole id or name part is a few edits away.
 */
export function suggestIds(wanted: string, known: readonly string[], max = 3): string[] {
  const query = wanted.trim().toLowerCase();
  if (!query) return [];
  const scored: { id: string; score: number }[] = [];
  for (const id of known) {
    const lower = id.toLowerCase();
    if (lower === query) continue;
    if (lower.startsWith(query) || (query.length >= 3 && lower.includes(query))) {
      scored.push({ id, score: 0 });
      continue;
    }
    const name = namePart(lower);
    const wantedName = namePart(query);
    const distance = Math.min(editDistance(query, lower), editDistance(wantedName, name));
    const limit = Math.max(2, Math.floor(Math.min(wantedName.length, name.length) / 3));
    if (distance <= limit) scored.push({ id, score: distance });
  }
  scored.sort((a, b) => a.score - b.score || a.id.localeCompare(b.id));
  return scored.slice(0, max).map((s) => s.id);
}
