/**
 * JSON text in chunks, for results too large for one string. V8 caps a string near 512 MiB
 * (about 8,000 domain controllers' worth of JSON), so `JSON.stringify` of a large run throws
 * `RangeError: Invalid string length` after all the probing is done. This serialiser walks
 * any value's keys the way `JSON.stringify(value, null, indent)` does and yields the text in
 * chunks of about `chunkSize` characters: their concatenation equals `JSON.stringify`'s
 * output byte for byte. It knows nothing of the result's fields, so whatever another part
 * of portolan adds to the result flows through. Iterative (an explicit stack, one
 * generator), so the walk costs a few times `JSON.stringify`, not a generator per node.
 */

/** A value as `JSON.stringify` sees it after `toJSON` and unboxing; `undefined` when it is left out. */
function jsonValue(key: string, value: unknown): unknown {
  const kind = typeof value;
  if (kind === 'string' || kind === 'number' || kind === 'boolean' || value === null) return value;
  let v = value;
  if (kind === 'object' || kind === 'bigint') {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = toJSON.call(v, key);
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  switch (typeof v) {
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'function':
    case 'symbol':
    case 'undefined':
      return undefined;
    default:
      return v;
  }
}

interface Frame {
  value: object;
  /** Object keys; null for an array. */
  keys: string[] | null;
  next: number;
  /** Whether a member was written yet (objects skip members that serialise to nothing). */
  wrote: boolean;
  pad: string;
}

/**
 * `JSON.stringify(value, null, indent)` in chunks of about `chunkSize` characters (a chunk
 * is longer only by the one string that crossed the size). Nothing at all for a value
 * `JSON.stringify` turns into `undefined`. Throws TypeError on a cycle or a BigInt, as
 * `JSON.stringify` does.
 */
export function* jsonChunks(value: unknown, indent = '  ', chunkSize = 1 << 16): Generator<string, void, undefined> {
  const top = jsonValue('', value);
  if (top === undefined) return;
  const stack: Frame[] = [];
  const open = new Set<object>();
  let parts: string[] = [];
  let size = 0;
  const put = (text: string) => {
    parts.push(text);
    size += text.length;
  };
  const start = (v: unknown, pad: string) => {
    if (v === null || typeof v !== 'object') {
      // Primitives: JSON.stringify turns NaN and Infinity into null, strings into quoted text.
      put(JSON.stringify(v) ?? 'null');
      return;
    }
    if (open.has(v)) throw new TypeError('Converting circular structure to JSON');
    open.add(v);
    stack.push({ value: v, keys: Array.isArray(v) ? null : Object.keys(v), next: 0, wrote: false, pad });
  };
  start(top, '');
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    const inner = f.pad + indent;
    if (f.keys === null) {
      const items = f.value as unknown[];
      if (f.next < items.length) {
        const i = f.next++;
        put(i === 0 ? `[\n${inner}` : `,\n${inner}`);
        const item = jsonValue(String(i), items[i]);
        if (item === undefined) put('null');
        else start(item, inner);
      } else {
        put(items.length === 0 ? '[]' : `\n${f.pad}]`);
        open.delete(f.value);
        stack.pop();
      }
    } else if (f.next < f.keys.length) {
      const key = f.keys[f.next++] as string;
      const item = jsonValue(key, (f.value as Record<string, unknown>)[key]);
      if (item !== undefined) {
        put(`${f.wrote ? ',' : '{'}\n${inner}${JSON.stringify(key)}: `);
        f.wrote = true;
        start(item, inner);
      }
    } else {
      put(f.wrote ? `\n${f.pad}}` : '{}');
      open.delete(f.value);
      stack.pop();
    }
    if (size >= chunkSize) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield parts.join('');
}
