import * as path from 'node:path';
import { parseConfig, readEnvironment } from '../config';
import type { startAzureMonitorTelemetry as StartAzureMonitorTelemetry } from './azure-monitor-telemetry';
import type { Telemetry } from './telemetry';

/**
 * The bot's telemetry as a program. src/index.ts imports this module before anything else, so that
 * OpenTelemetry hooks node:http and the Azure SDK before restify, botbuilder and @azure/cosmos are
 * loaded (a module loaded earlier is not instrumented). It starts only with
 * APPLICATIONINSIGHTS_CONNECTION_STRING set, and only in the program itself (a test that imports
 * startBot starts nothing); otherwise no telemetry package is loaded at all. Part of the
 * composition root: it reads the environment the same way start-up does, and leaves a bad
 * configuration for start-up to report.
 */
export const processTelemetry: Telemetry | undefined = startForTheProgram();

function startForTheProgram(): Telemetry | undefined {
  if (!isTheProgram()) return undefined;
  let connectionString: string | undefined;
  try {
    connectionString = parseConfig(readEnvironment(process.env, process.cwd())).telemetry?.connectionString;
  } catch {
    return undefined;
  }
  if (!connectionString) return undefined;
  // Loaded here, synchronously: it must be in place before src/index.ts's next import runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startAzureMonitorTelemetry } = require('./azure-monitor-telemetry') as { startAzureMonitorTelemetry: typeof StartAzureMonitorTelemetry };
  return startAzureMonitorTelemetry({ connectionString });
}

/** Whether the process was started as src/index (npm start, node dist/src/index.js). */
function isTheProgram(): boolean {
  const entry = require.main?.filename;
  if (!entry) return false;
  return entry.slice(0, entry.length - path.extname(entry).length) === path.join(__dirname, '..', 'index');
}
