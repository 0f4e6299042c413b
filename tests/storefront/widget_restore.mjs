// Rebuilds a saved design in the widget: reads {product, saved} (GET /embed/products/{id} and
// POST /embed/saved answers) as JSON from argv[2], prints {state, layers}: the widget state
// widget/app/saved.js restores, and the layers widget/app/design.js builds from it (what the
// widget would send again).
import { readFileSync } from 'node:fs';
import { buildLayers } from '../../widget/app/design.js';
import { stateFromDesign } from '../../widget/app/saved.js';

const { product, saved } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const state = stateFromDesign(product, saved);
process.stdout.write(JSON.stringify({ state, layers: buildLayers(product, state) }));
