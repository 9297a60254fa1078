/**
 * Whether a target is written as something a run can probe: an IP address or a DNS host
 * name (labels of letters, digits, `-` and `_`, at most 63 characters each, 253 in all).
 * Syntax only: nothing is looked up (the exporter's query parameter, `check --dry-run`).
 */
import { isIP } from 'node:net';

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})?)*\.?$/;

/** True for an IPv4 or IPv6 address or a host name. */
export function isTargetName(text: string): boolean {
  return isIP(text) !== 0 || HOST_NAME.test(text);
}
