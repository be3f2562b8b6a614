// Writes docs/contracts/asyncapi.json and one JSON Schema per topic (npm run contracts:docs).
// The contracts test fails when the committed files differ from what this produces.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTopics, buildAsyncApi, envelopeJsonSchema } from '../src';
import { CONTRACTS_VERSION } from '../src/version';

const out = join(__dirname, '../../../docs/contracts');
mkdirSync(join(out, 'schemas'), { recursive: true });
for (const f of readdirSync(join(out, 'schemas'))) rmSync(join(out, 'schemas', f));
for (const topic of allTopics) {
  writeFileSync(
    join(out, 'schemas', `${topic.name}.json`),
    JSON.stringify(envelopeJsonSchema(topic), null, 2) + '\n',
  );
}
writeFileSync(join(out, 'asyncapi.json'), JSON.stringify(buildAsyncApi(CONTRACTS_VERSION), null, 2) + '\n');
console.log(`wrote ${allTopics.length} schemas and asyncapi.json to docs/contracts`);
