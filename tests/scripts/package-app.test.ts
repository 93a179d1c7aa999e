import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import JSZip from 'jszip';
import { commandsFor } from '../../src/domain/commands';
import { buildAppPackage, fillManifest } from '../../scripts/package-app';
import { readPngHeader } from '../../scripts/png';

const env = {
  TEAMS_APP_ID: '3f0ad8b1-5b1c-4c8e-9e61-1a2b3c4d5e6f',
  BOT_ID: '9a1b2c3d-1111-2222-3333-444455556666',
  BOT_DOMAIN: 'tam.example.com',
  APP_WEBSITE_URL: 'https://tam.example.com',
  APP_PRIVACY_URL: 'https://tam.example.com/privacy',
  APP_TERMS_URL: 'https://tam.example.com/terms',
};

const manifestPath = path.join(__dirname, '..', '..', 'manifest', 'manifest.json');

describe('Teams app package', () => {
  it('fills the placeholders, passes the bundled Teams schema and zips manifest and icons', async function () {
    this.timeout(30_000);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-package-'));
    const file = await buildAppPackage({ envName: 'test', env, outDir });
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    assert.deepEqual(Object.keys(zip.files).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as { id: string; bots: { botId: string }[]; manifestVersion: string };
    assert.equal(manifest.id, env.TEAMS_APP_ID);
    assert.equal(manifest.bots[0]?.botId, env.BOT_ID);
    assert.equal(manifest.manifestVersion, '1.30');
    fs.rmSync(outDir, { recursive: true });
  });

  it('refuses to package with a placeholder unset, naming it', () => {
    const template = fs.readFileSync(manifestPath, 'utf8');
    assert.throws(() => fillManifest(template, { ...env, BOT_ID: undefined }), /Missing values for the manifest: BOT_ID/);
  });

  it('refuses a manifest that breaks the schema', async () => {
    await assert.rejects(buildAppPackage({ envName: 'test', env: { ...env, TEAMS_APP_ID: 'not-a-guid' }, outDir: os.tmpdir() }), /\/id must match pattern/);
  });

  it('has a 192x192 colour icon and a 32x32 transparent outline icon', () => {
    const color = readPngHeader(fs.readFileSync(path.join(path.dirname(manifestPath), 'color.png')));
    const outline = readPngHeader(fs.readFileSync(path.join(path.dirname(manifestPath), 'outline.png')));
    assert.deepEqual([color.width, color.height], [192, 192]);
    assert.deepEqual([outline.width, outline.height, outline.colorType], [32, 32, 6]);
  });

  it('lists the same bot commands per scope as the bot offers (those in the menu), at most 12 a scope', () => {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { bots: { commandLists: { scopes: string[]; commands: { title: string }[] }[] }[] };
    const lists = manifest.bots[0]!.commandLists;
    const personal = lists.find((l) => l.scopes.includes('personal'))!.commands.map((c) => c.title);
    const team = lists.find((l) => l.scopes.includes('team'))!.commands.map((c) => c.title);
    const offered = (scope: 'personal' | 'channel'): string[] =>
      [...new Set((['admin', 'manager', 'tam', 'customer'] as const).flatMap((role) => commandsFor(role, scope).filter((c) => c.inMenu !== false).map((c) => c.keyword)))];
    assert.deepEqual(personal.sort(), offered('personal').sort());
    assert.deepEqual(team.sort(), offered('channel').sort());
    assert.ok(personal.length <= 12 && team.length <= 12, 'Teams takes at most 12 commands a list');
  });
});
