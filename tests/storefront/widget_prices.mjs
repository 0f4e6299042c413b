// Prints the widget's own price add-on (widget/app/design.js addOnCents, the figure the
// shopper sees) for each {product, values} case read as JSON from argv[2]; one JSON array out.
import { readFileSync } from 'node:fs';
import { addOnCents } from '../../widget/app/design.js';

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(cases.map((c) => addOnCents(c.product, { values: c.values, fonts: {}, prompt: '' }))));
