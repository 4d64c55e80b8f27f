// Starts the simulated GitBook (cmd/gitbook-sim) and the facade as child
// processes on free loopback ports, and stops them again. Each suite starts
// its own pair, so suites share no state and any one runs alone:
//
//   FACADE_BIN=... GITBOOK_SIM_BIN=... node --test conformance/client.test.mjs
//
// run.sh builds the binaries and sets those variables.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const DEMO_TOKEN = 'gb_demo_admin';
export const READER_TOKEN = 'gb_demo_reader';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 10_000;
// For before() and after(): starting or stopping a suite's servers.
export const HOOK_TIMEOUT_MS = 30_000;

const running = new Set();

// Children are killed however this process ends: normally, on a signal, or
// on an uncaught error. (run.sh also kills the whole process group, for the
// case where this process itself is killed outright.)
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

function binary(envName) {
  const path = process.env[envName];
  if (!path) {
    throw new Error(`${envName} is not set: run conformance/run.sh, or build the binary and set ${envName} to its path`);
  }
  return path;
}

// start spawns bin and resolves with what parse finds in its first stdout
// line that it recognizes; it rejects if the process exits or says nothing
// recognizable in time. The rest of the output is kept for error messages.
function start(name, bin, args, env, parse) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const output = [];
    const tail = () => output.slice(-20).join('\n');
    let settled = false;
    const fail = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name}: ${err}\n--- last output ---\n${tail()}`));
    };
    const timer = setTimeout(() => fail(`no listening line within ${STARTUP_TIMEOUT_MS}ms`), STARTUP_TIMEOUT_MS);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => {
      running.delete(child);
      fail(`exited (code ${code}, signal ${signal}) before listening`);
    });
    createInterface({ input: child.stderr }).on('line', (line) => output.push(`[stderr] ${line}`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      if (settled) return;
      const addr = parse(line);
      if (addr) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, addr, output });
      }
    });
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

function loopbackAddr(addr) {
  if (!/^127\.0\.0\.1:\d+$/.test(addr)) throw new Error(`not a loopback address: ${addr}`);
  return addr;
}

// startStack starts gitbook-sim, then the facade over it, and resolves with
// their URLs and a stop function (call it from after()).
export async function startStack({ facadeArgs = [], facadeEnv = {} } = {}) {
  const started = [];
  try {
    const sim = await start('gitbook-sim', binary('GITBOOK_SIM_BIN'), ['-addr', '127.0.0.1:0'], { PATH: process.env.PATH ?? '' },
      (line) => /^listening (\S+)$/.exec(line)?.[1]);
    started.push(sim.child);
    const simURL = `http://${loopbackAddr(sim.addr)}`;

    // A clean environment: the facade reads its settings from variables
    // (ADDR, REQUEST_TIMEOUT, INTROSPECTION, ...) that the caller's shell
    // must not change under the suites.
    const env = { PATH: process.env.PATH ?? '', GITBOOK_TOKEN: DEMO_TOKEN, ...facadeEnv };
    const args = ['-addr', '127.0.0.1:0', '-upstream', `${simURL}/v1`, '-log-format', 'json', ...facadeArgs];
    const facade = await start('facade', binary('FACADE_BIN'), args, env, (line) => {
      try {
        const entry = JSON.parse(line);
        return entry.msg === 'listening' ? entry.addr : undefined;
      } catch {
        return undefined;
      }
    });
    started.push(facade.child);
    const facadeURL = `http://${loopbackAddr(facade.addr)}`;

    return {
      simURL,
      facadeURL,
      graphqlURL: `${facadeURL}/graphql`,
      facadeOutput: facade.output,
      /**
       * Sends signal to the facade's process (SIGHUP reloads its list of
       * trusted documents); throws if the process is gone.
       */
      signalFacade(signal) {
        if (!facade.child.kill(signal)) throw new Error(`facade (pid ${facade.child.pid}): ${signal} not delivered`);
      },
      /** The calls the simulated GitBook received since the last reset. */
      async simCalls() {
        const res = await fetch(`${simURL}/_sim/calls`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        if (!res.ok) throw new Error(`GET /_sim/calls: ${res.status}`);
        return (await res.json()).calls ?? [];
      },
      async simReset() {
        const res = await fetch(`${simURL}/_sim/reset`, { method: 'POST', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        if (!res.ok) throw new Error(`POST /_sim/reset: ${res.status}`);
      },
      async stop() {
        await Promise.all(started.map(stop));
      },
    };
  } catch (err) {
    await Promise.all(started.map(stop));
    throw err;
  }
}

// startDemo starts the facade alone with -demo: over its embedded simulated
// GitBook, as a new user would run it. Resolves with its URL and stop().
export async function startDemo({ facadeArgs = [] } = {}) {
  const env = { PATH: process.env.PATH ?? '' };
  const args = ['-demo', '-addr', '127.0.0.1:0', '-log-format', 'json', ...facadeArgs];
  const facade = await start('facade -demo', binary('FACADE_BIN'), args, env, (line) => {
    try {
      const entry = JSON.parse(line);
      return entry.msg === 'listening' ? entry.addr : undefined;
    } catch {
      return undefined;
    }
  });
  return {
    facadeURL: `http://${loopbackAddr(facade.addr)}`,
    facadeOutput: facade.output,
    async stop() {
      await stop(facade.child);
    },
  };
}

// postGraphQL sends one GraphQL request over POST and returns the parsed
// body; it is for setup and for checks outside the client under test.
export async function postGraphQL(url, query, variables, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`POST ${url}: ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
}
