import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The events table of packages/sessions/README.md: each event's name and the payload fields it lists
 * (`name?` for an optional one; values in parentheses are left out), in the table's order.
 */
export function documentedSessionEvents(): Array<{ name: string; fields: string[] }> {
  const doc = readFileSync(path.resolve(__dirname, '..', '..', 'packages', 'sessions', 'README.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Events\n')).split('\n## ')[1]!;
  return section
    .split('\n')
    .filter((line) => /^\| `/.test(line))
    .map((line) => {
      const cells = line.split(' | ');
      const payload = cells[cells.length - 1]!.replace(/\([^)]*\)/g, '');
      return { name: line.split('`')[1]!, fields: [...payload.matchAll(/`([^`]+)`/g)].map((match) => match[1]!) };
    });
}
