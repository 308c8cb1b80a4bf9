/**
 * `npx tsx src/domain/commands/generate-docs.ts`: writes `docs/commands.md` from the catalog, formatted
 * with the repository's Prettier settings so `npm run format` leaves it as generated. A unit test renders
 * it in memory and fails when the committed page differs. The only file of this module that touches the
 * disk.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { renderCommandsMarkdown } from './listing.ts';

/** Where the page goes. */
export const COMMANDS_DOC_PATH = fileURLToPath(new URL('../../../docs/commands.md', import.meta.url));

/** The page, formatted. */
export async function formattedCommandsMarkdown(): Promise<string> {
  const options = (await resolveConfig(COMMANDS_DOC_PATH)) ?? {};
  return format(renderCommandsMarkdown(), { ...options, filepath: COMMANDS_DOC_PATH, parser: 'markdown' });
}

/** Writes the page when it changed; returns whether it did. */
export async function writeCommandsDoc(path: string = COMMANDS_DOC_PATH): Promise<boolean> {
  const content = await formattedCommandsMarkdown();
  const current = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (current === content) return false;
  await writeFile(path, content);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const changed = await writeCommandsDoc();
  console.log(changed ? `wrote ${COMMANDS_DOC_PATH}` : `${COMMANDS_DOC_PATH} is up to date`);
}
