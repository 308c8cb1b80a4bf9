import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body of at most `limit` bytes. A larger one (declared or received) is refused with the
 * error `tooLarge` makes, and the rest of it is drained so the connection stays usable; each local server
 * answers in its own protocol's words.
 */
export function readBoundedBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => Error,
  unreadable: (error: Error) => Error = (error) => error,
): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (error) => reject(unreadable(error)));
  });
}
