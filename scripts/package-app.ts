/**
 * Builds the Teams app package: fills the `${{NAME}}` placeholders of manifest/manifest.json
 * from env/.env.<APP_ENV> (default `dev`) and the process environment, validates the result
 * against the bundled Teams manifest schema, and writes build/appPackage.<env>.zip.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import JSZip from 'jszip';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { readEnvironment } from '../src/config';

const root = path.join(__dirname, '..');

export const manifestDefaults: Readonly<Record<string, string>> = {
  APP_VERSION: '1.0.0',
  APP_NAME_SUFFIX: '',
  APP_DEVELOPER_NAME: 'TAM Assistant',
};

export class PackageError extends Error {
  override readonly name = 'PackageError';
}

/** The manifest with every placeholder filled; throws naming each variable that is missing. */
export function fillManifest(template: string, env: Readonly<Record<string, string | undefined>>): unknown {
  const missing = new Set<string>();
  const filled = template.replace(/\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g, (_, name: string) => {
    const value = env[name] ?? manifestDefaults[name];
    if (value === undefined || (value === '' && !(name in manifestDefaults))) {
      missing.add(name);
      return '';
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) throw new PackageError(`Missing values for the manifest: ${[...missing].join(', ')} (set them in env/.env.<name> or the environment)`);
  return JSON.parse(filled) as unknown;
}

export async function buildAppPackage(options: { envName: string; env: Readonly<Record<string, string | undefined>>; outDir: string }): Promise<string> {
  const manifestDir = path.join(root, 'manifest');
  const manifest = fillManifest(fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8'), options.env);
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0]);
  if (errors.length > 0) throw new PackageError(`The manifest does not match the Teams schema:\n  ${errors.join('\n  ')}`);
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 2));
  zip.file('color.png', fs.readFileSync(path.join(manifestDir, 'color.png')));
  zip.file('outline.png', fs.readFileSync(path.join(manifestDir, 'outline.png')));
  fs.mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `appPackage.${options.envName}.zip`);
  fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}

if (require.main === module) {
  const envName = process.env.APP_ENV?.trim() || 'dev';
  const env = readEnvironment({ ...process.env, APP_ENV: envName }, root);
  buildAppPackage({ envName, env, outDir: path.join(root, 'build') }).then(
    (file) => process.stdout.write(`Wrote ${path.relative(root, file)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
