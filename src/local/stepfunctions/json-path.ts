/**
 * Resolves the plain reference paths ASL allows in `TimeoutSecondsPath`, `HeartbeatSecondsPath`,
 * `InputPath` and `ItemsPath` (`$`, `$.a.b`, `$.a[0]`, `$['a b']`), for the few places where the engine
 * needs a value before or beside aws-local-stepfunctions. Undefined when the path does not resolve or
 * uses filters or wildcards, which reference paths may not.
 */
export function resolveReferencePath(path: string, value: unknown): unknown {
  if (!path.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  const pattern = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) return undefined;
    const [, dotted, index, singleQuoted, doubleQuoted] = match;
    segments.push(index !== undefined ? Number(index) : (dotted ?? singleQuoted ?? doubleQuoted ?? ''));
  }
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
