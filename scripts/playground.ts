/**
 * Opens the Microsoft 365 Agents Playground (a local Teams client) against the bot started
 * with `npm start`, fully offline. Then browse to http://localhost:56150.
 * `npm run playground -- --as megan` plays another demo user (alex, megan, adele, isaiah,
 * patti, lynne). PLAYGROUND_PORT and BOT_ENDPOINT override the defaults.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const playgroundUsers = [
  { key: 'alex', name: 'Alex Wilber', upn: 'alexw', id: '20', role: 'TAM of Contoso and Fabrikam' },
  { key: 'megan', name: 'Megan Bowen', upn: 'meganb', id: '21', role: 'manager of Alex' },
  { key: 'adele', name: 'Adele Vance', upn: 'adelev', id: '22', role: 'customer contact at Contoso' },
  { key: 'isaiah', name: 'Isaiah Langer', upn: 'isaiahl', id: '23', role: 'admin' },
  { key: 'patti', name: 'Patti Fernandez', upn: 'pattif', id: '24', role: 'TAM of Northwind' },
  { key: 'lynne', name: 'Lynne Robbins', upn: 'lynner', id: '25', role: 'customer contact at Fabrikam' },
] as const;

type PlaygroundUser = (typeof playgroundUsers)[number];

function userYaml(user: PlaygroundUser, index: number, indent: string): string {
  const [given = '', surname = ''] = user.name.split(' ');
  return [
    `id: user-id-${index}`,
    `name: ${user.name}`,
    `userPrincipleName: ${user.upn}@example.com`,
    `aadObjectId: 00000000-0000-0000-0000-00000000000${user.id}`,
    `givenName: ${given}`,
    `surname: ${surname}`,
    `email: ${user.upn}@example.com`,
  ].join(`\n${indent}`);
}

/**
 * Each demo user's own personal chat with the bot. The Playground fills `__PERSONAL_CHAT_ID__`
 * only in its built-in configuration; from a configuration file it takes the id as written, so
 * one fixed id would give every demo user the same personal chat (and the bot one reference for
 * all of them).
 */
function personalChatId(user: PlaygroundUser): string {
  return `personal-chat-${user.key}`;
}

/** The Playground's own configuration file, with the chosen demo user as the current user. */
function writePlaygroundConfig(current: PlaygroundUser): void {
  const others = playgroundUsers.filter((u) => u.key !== current.key);
  const yaml = [
    'version: "0.1.1"',
    'tenantId: 00000000-0000-0000-0000-0000000000001',
    'bot:',
    '  id: 00000000-0000-0000-0000-00000000000011',
    '  name: TAM Assistant',
    'currentUser:',
    `  ${userYaml(current, playgroundUsers.indexOf(current), '  ')}`,
    'users:',
    ...others.map((u) => `  - ${userYaml(u, playgroundUsers.indexOf(u), '    ')}`),
    'personalChat:',
    `  id: ${personalChatId(current)}`,
    // The group chat and the team are the same for every demo user: they share them.
    'groupChat:',
    '  id: __GROUP_CHAT_ID__',
    '  name: Group Chat',
    'team:',
    '  id: team-id',
    '  name: My Team',
    '  aadGroupId: 00000000-0000-0000-0000-000000000031',
    '  channels:',
    '    - id: channel-announcements-id',
    '      name: Announcements',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(process.cwd(), '.m365agentsplayground.yml'), yaml);
}

const port = process.env.PLAYGROUND_PORT ?? '56150';
const botEndpoint = process.env.BOT_ENDPOINT ?? `http://127.0.0.1:${process.env.PORT ?? '3978'}/api/messages`;

async function botIsUp(): Promise<boolean> {
  try {
    const response = await fetch(new URL('/healthz', botEndpoint), { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const asIndex = process.argv.indexOf('--as');
  const wanted = (asIndex >= 0 ? process.argv[asIndex + 1] : process.env.PLAYGROUND_USER) ?? 'alex';
  const current = playgroundUsers.find((u) => u.key === wanted.toLowerCase());
  if (!current) {
    process.stderr.write(`Unknown demo user "${wanted}". Choose one of: ${playgroundUsers.map((u) => u.key).join(', ')}\n`);
    process.exit(2);
  }
  writePlaygroundConfig(current);
  if (!(await botIsUp())) {
    process.stderr.write(`The bot does not answer at ${botEndpoint}. Start it first with "npm start" in another terminal.\n`);
  }
  const executable = path.join(__dirname, '..', 'node_modules', '.bin', 'agentsplayground');
  const child = spawn(
    executable,
    ['--app-endpoint', botEndpoint, '--channel-id', 'msteams', '--port', port, '--disable-telemetry'],
    {
      stdio: 'inherit',
      env: { ...process.env, TEAMSAPPTESTER_BROWSER: process.env.TEAMSAPPTESTER_BROWSER ?? 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' },
    },
  );
  process.stdout.write(`Agents Playground: http://localhost:${port}, signed in as ${current.name} (${current.role}). Another user: npm run playground -- --as ${current.key === 'megan' ? 'alex' : 'megan'}\n`);
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

void main();
