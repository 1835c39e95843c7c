// The figures table every bench prints: the first column (what was measured)
// left-aligned, the figures right-aligned, columns two spaces apart.

/** `header` and `rows` as table lines; `rule` puts a dashed line under the header. */
export function figuresTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  { rule = false }: { rule?: boolean } = {},
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [
    line(header),
    ...(rule ? [widths.map((w) => "-".repeat(w)).join("  ")] : []),
    ...rows.map(line),
  ];
}
