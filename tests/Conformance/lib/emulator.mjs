// Starts the built emulator as users do (the standalone program) and stops it again.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const emulatorDll = process.env.SF_EMULATOR_DLL
  ?? path.join(repoRoot, 'src/SalesforceProvisioning.Emulator/bin/Release/net10.0/SalesforceProvisioning.Emulator.dll');

/**
 * Runs `dotnet SalesforceProvisioning.Emulator.dll --port 0 ...args` and resolves with its first stdout line
 * (instanceUrl, httpsInstanceUrl, certificatePem, credentials) plus helpers. The emulator watches our pid,
 * so a crashed test run leaves none behind.
 */
export async function startEmulator(args = []) {
  if (!fs.existsSync(emulatorDll)) {
    throw new Error(`The emulator is not built: ${emulatorDll} is missing. Run: dotnet build src/SalesforceProvisioning.Emulator -c Release`);
  }
  const child = spawn('dotnet', [emulatorDll, '--port', '0', '--parent-pid', String(process.pid), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines = createInterface({ input: child.stdout });
  const firstLine = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The emulator did not announce itself within 60 s. ${stderr}`)), 60_000);
    lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`The emulator exited with ${code} before announcing itself. ${stderr}`)); });
  });
  const info = JSON.parse(firstLine);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  return {
    info,
    /** Sends a request to a control endpoint (/__emulator/...). */
    async control(action, body, method = body === undefined ? 'GET' : 'POST') {
      const response = await fetch(`${info.instanceUrl}/__emulator/${action}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${action}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    /** A REST call with the announced access token; returns status, headers and parsed body. */
    async rest(pathAndQuery, { method = 'GET', body, token = info.accessToken, headers = {} } = {}) {
      const response = await fetch(info.instanceUrl + pathAndQuery, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { json = null; }
      return { status: response.status, headers: response.headers, body: json, text };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
