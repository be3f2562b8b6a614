// Runs TypeScript entry points directly (node -r ./scripts/register.js file.ts) with the @cic/* aliases
// and decorator metadata of tsconfig.base.json, compiled by SWC.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
