/**
 * Lines of a file or stream, one at a time and bounded: a line longer than `maxLength`
 * characters is an error at its line number instead of a string that grows with whatever
 * the file holds (a binary file, a JSON document where a list was expected).
 */
import { createReadStream } from 'node:fs';

export interface Line {
  /** 1-based. */
  number: number;
  text: string;
}

export class LineTooLong extends Error {
  constructor(
    readonly line: number,
    readonly maxLength: number,
  ) {
    super(`line ${line} is longer than ${maxLength.toLocaleString('en-US')} characters`);
  }
}

/** The lines of `input` (a path, or an already open stream), without their line ends. */
export async function* readLines(
  input: string | NodeJS.ReadableStream,
  maxLength: number,
): AsyncGenerator<Line, void, undefined> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  let partial = '';
  let number = 0;
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of stream) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        const piece = partial + text.slice(start, end);
        partial = '';
        number++;
        if (piece.length > maxLength) throw new LineTooLong(number, maxLength);
        yield { number, text: piece.endsWith('\r') ? piece.slice(0, -1) : piece };
        start = end + 1;
      }
      partial += text.slice(start);
      if (partial.length > maxLength) throw new LineTooLong(number + 1, maxLength);
    }
    partial += decoder.decode();
    if (partial !== '') {
      number++;
      yield { number, text: partial.endsWith('\r') ? partial.slice(0, -1) : partial };
    }
  } finally {
    if (typeof input === 'string') (stream as ReturnType<typeof createReadStream>).destroy();
  }
}
