/**
 * Which ports of a dynamic RPC range to probe when the endpoint mapper cannot tell.
 * Deterministic and evenly spread (first, last and equal steps between), so two runs
 * probe the same ports and a responder can listen on exactly those.
 */
export function sampleRange(first: number, last: number, k: number): number[] {
  const size = last - first + 1;
  if (k >= size) return Array.from({ length: size }, (_, i) => first + i);
  if (k <= 1) return [first];
  const step = (size - 1) / (k - 1);
  const ports = new Set<number>();
  for (let i = 0; i < k; i++) ports.add(first + Math.round(i * step));
  return [...ports];
}
