/** One Server-Sent Event as the wire carries it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
  /** The reconnect delay the server asked for (`retry:`), if any. */
  retry?: number;
}

/** An open event stream: its events as they arrive, and a way to drop the connection mid-way. */
export interface SseConnection {
  response: Response;
  events: AsyncGenerator<SseEvent>;
  drop(): void;
}

/** Opens `url` as an event stream (a real socket, read incrementally); extra headers such as Last-Event-ID. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const aborter = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: aborter.signal });
  return { response, events: parseSse(response), drop: () => aborter.abort() };
}

/** Parses the text/event-stream format: blank-line separated blocks of `field: value` lines; `:` lines are comments. */
async function* parseSse(response: Response): AsyncGenerator<SseEvent> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event) yield event;
      }
    }
  } catch (error) {
    // A dropped connection ends the stream from the reader's side; anything else is a real failure.
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  const event: SseEvent = { id: undefined, event: 'message', data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'retry') event.retry = Number(value);
    else if (field === 'data') {
      event.data = hasData ? `${event.data}\n${value}` : value;
      hasData = true;
    }
  }
  return hasData ? event : undefined;
}
