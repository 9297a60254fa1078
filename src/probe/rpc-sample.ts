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

/** The most ports of a UDP range a check samples (`--rpc sweep` still probes them all). */
export const UDP_RANGE_SAMPLE = 4;

/**
 * The ports of a UDP range to probe when it is sampled: the first and last of the `k` a TCP
 * range gets and two evenly between (so a responder serving the TCP sample serves these too).
 * Why no more: a closed UDP port is proven only by an ICMP port unreachable, and hosts ration
 * those (Linux: six at once, then one a second), so each closed sample can cost the run a
 * second per host where a TCP sample costs a round trip. And the sample answers one question,
 * whether the firewall passes the range: one rule almost always covers a range whole, the two
 * ends catch a rule that covers only part of it, and a closed or answering port proves the
 * path either way.
 */
export function udpRangeSample(first: number, last: number, k: number): number[] {
  const wide = sampleRange(first, last, k);
  if (wide.length <= UDP_RANGE_SAMPLE) return wide;
  const step = (wide.length - 1) / (UDP_RANGE_SAMPLE - 1);
  return Array.from({ length: UDP_RANGE_SAMPLE }, (_, i) => wide[Math.round(i * step)] as number);
}
