import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

/** Deeper JSON than this is refused before anything recursive (parsers, zod, JSON.stringify) walks it. */
export const MAX_JSON_DEPTH = 64;

/** A body-parser error: its status and type reach the app's error handler, which answers in the API's shape. */
export class BodyRejected extends Error {
  constructor(
    message: string,
    readonly type: 'entity.too.deep' | 'encoding.invalid',
    readonly status = 400,
  ) {
    super(message);
  }
}

/** How deep arrays and objects nest in JSON text, by one linear scan that skips strings; stops past `max`. */
export function jsonDepthOver(text: string | Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = typeof text === 'string' ? text.charCodeAt(i) : text[i];
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}

/** The `verify` hook of the body parsers: invalid UTF-8 and over-deep JSON are a 400 before parsing. */
export function verifyJsonBody(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw new BodyRejected('Request body is not valid UTF-8', 'encoding.invalid');
  if (jsonDepthOver(body, MAX_JSON_DEPTH))
    throw new BodyRejected(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`, 'entity.too.deep');
}

/** tRPC queries carry their input as JSON in `?input=`: the same depth cap applies there. */
export const guardQueryInput: RequestHandler = (req, _res, next) => {
  const input = new URL(req.url, 'http://localhost').searchParams.get('input');
  if (input !== null && jsonDepthOver(input, MAX_JSON_DEPTH)) {
    next(new BodyRejected(`Query input nests deeper than ${MAX_JSON_DEPTH} levels`, 'entity.too.deep'));
    return;
  }
  next();
};
