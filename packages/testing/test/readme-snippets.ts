/** Reads the code blocks of the package README that are marked `<!-- snippet: NAME -->`, as users copy them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

export function readmeSnippet(name: 'express' | 'fastify'): string {
  const readme = readFileSync(README_PATH, 'utf8');
  const marker = `<!-- snippet: ${name} -->\n\`\`\`js\n`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no "${name}" snippet`);
  const body = start + marker.length;
  return readme.slice(body, readme.indexOf('\n```', body) + 1);
}
