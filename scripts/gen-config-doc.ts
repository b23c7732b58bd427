// Writes docs/configuration.md from src/config/config.fields.ts: `node --import tsx scripts/gen-config-doc.ts`.
import { writeFileSync } from 'node:fs';
import { FIELDS } from '../src/config/config.fields.ts';

const rows = FIELDS.map((f) => {
  const def =
    f.default === undefined ? '—' : Array.isArray(f.default) ? f.default.join(',') : String(f.default);
  return `| \`${f.path}\` | \`${f.env}\` | ${f.kind.type} | ${def} | ${f.doc} |`;
});
const text = `# Configuration

Ecoute reads one optional file (\`ecoute.yaml\` or \`ecoute.json\`, from \`--config\` or \`ECOUTE_CONFIG\`), then
the environment, into one validated, frozen configuration. A wrong field stops start-up with a message that
names the field, the value and what was expected. This page is generated from
\`src/config/config.fields.ts\` (\`node --import tsx scripts/gen-config-doc.ts\`); a test keeps it current.

In the file, fields nest by their dots: \`http.port\` is written \`http: { port: 8080 }\`.

| field | environment | kind | default | meaning |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
writeFileSync(new URL('../docs/configuration.md', import.meta.url), text);
