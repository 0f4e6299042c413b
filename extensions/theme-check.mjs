// Lint the theme app extension with Shopify's theme-check (app-extension configuration).
// Exits non-zero on any error-severity offense; prints every offense. No network needed:
// theme-check falls back to the Liquid docs bundled with @shopify/theme-check-docs-updater.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { themeCheckRun } from '@shopify/theme-check-node';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = process.argv[2] ? path.resolve(process.argv[2]) : path.join(here, 'luneo-personalizer');
const config = path.join(here, 'theme-check.yml');
const SEVERITY = ['error', 'warning', 'info'];

const { offenses, theme } = await themeCheckRun(root, config, () => {});
for (const o of offenses) {
  const file = path.relative(root, fileURLToPath(o.uri));
  console.log(`${SEVERITY[o.severity] || o.severity}: ${file}:${o.start.line + 1} [${o.check}] ${o.message}`);
}
const errors = offenses.filter((o) => o.severity === 0).length;
console.log(`theme-check: ${theme.length} files, ${errors} errors, ${offenses.length - errors} other offenses`);
process.exit(errors ? 1 : 0);
