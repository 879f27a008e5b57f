#!/usr/bin/env node
// Interop client for cortex-llmd built on @grpc/grpc-js and @grpc/proto-loader.
//
// Usage: node interop_client.js --socket PATH CASE
//
// Loads the shipped .proto files (src/Protos, found relative to this script), runs one CASE
// against the daemon on the Unix socket PATH, prints one JSON object with what it observed on
// stdout, and exits 0 when the case's own expectations hold, 1 otherwise (the reason goes to
// stderr). The cases and their expectations mirror tests/interop/python/interop_client.py.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'src', 'Protos');
const ROUTER_PROTO = 'cortex/llm/v1/router.proto';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

// The mock provider of tests/Cortex.Llmd.Tests/Support/test-config.json.
const MOCK_REPLY = 'Hello from {model}: {prompt}';
const MOCK_MODEL = 'mock-1';
const RPC_TIMEOUT_MS = 30_000;
const DEADLINE_CALLS = 5;
const WATCHDOG_MS = 55_000;

class CaseFailed extends Error {}

function expect(condition, message) {
  if (!condition) {
    throw new CaseFailed(message);
  }
}

function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) {
    throw new CaseFailed(`${what}: expected ${e}, got ${a}`);
  }
}

function expectStatus(error, wanted, what) {
  expect(error, `${what}: expected status ${statusName(wanted)}, but the call succeeded`);
  expect(error.code === wanted, `${what}: expected status ${statusName(wanted)}, got ${statusName(error.code)} (details: ${JSON.stringify(error.details)})`);
}

function expectNoError(error, what) {
  if (error) {
    throw new CaseFailed(`${what}: status ${statusName(error.code)}: ${error.details}`);
  }
}

function statusName(code) {
  return Object.keys(grpc.status).find((k) => grpc.status[k] === code) ?? `CODE_${code}`;
}

// ---------------------------------------------------------------- API loading

function loadApi() {
  const options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };
  const definition = protoLoader.loadSync([ROUTER_PROTO, HEALTH_PROTO], options);
  const loaded = grpc.loadPackageDefinition(definition);

  // The attempt-log trailer is a message no method returns, so it is decoded with protobufjs
  // (the library proto-loader itself uses) from the same .proto file.
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(PROTO_ROOT, target));
  root.loadSync(ROUTER_PROTO, { keepCase: false });
  const attemptLog = root.lookupType('cortex.llm.v1.AttemptLog');

  return {
    Router: loaded.cortex.llm.v1.Router,
    Health: loaded.grpc.health.v1.Health,
    decodeAttemptLog: (bytes) => attemptLog.toObject(attemptLog.decode(bytes), { enums: String, longs: String, defaults: true }),
  };
}

// ---------------------------------------------------------------- helpers

function mockChunks(text) {
  // The mock's chunking: word-sized pieces, each keeping its trailing space.
  const chunks = [];
  let start = 0;
  while (start < text.length) {
    const space = text.indexOf(' ', start);
    const end = space < 0 ? text.length : space + 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

function mockText(prompt, model = MOCK_MODEL) {
  return MOCK_REPLY.replace('{model}', model).replace('{prompt}', prompt);
}

function userRequest(prompt, fields = {}) {
  return { messages: [{ role: 'ROLE_USER', content: prompt }], ...fields };
}

function metadataOf(pairs) {
  const md = new grpc.Metadata();
  for (const [key, value] of pairs) {
    md.set(key, value);
  }
  return md;
}

function first(md, key) {
  const values = md ? md.get(key) : [];
  return values.length > 0 ? values[0] : undefined;
}

function deadlineIn(ms) {
  return new Date(Date.now() + ms);
}

function newRequestId(name) {
  return `interop-node-${name}-${Math.random().toString(16).slice(2, 14)}`;
}

/** A unary call: resolves to { response, error, headers } and never rejects. */
function unary(client, method, request, { metadata = new grpc.Metadata(), deadline = deadlineIn(RPC_TIMEOUT_MS) } = {}) {
  return new Promise((resolve) => {
    let headers;
    const call = client[method](request, metadata, { deadline }, (error, response) => resolve({ response, error, headers }));
    call.on('metadata', (md) => {
      headers = md;
    });
  });
}

/**
 * Reads a server stream to its end. onChunk may return false to stop counting (after a cancel).
 * Resolves once the status arrived and every buffered message was delivered.
 */
function readStream(call, onChunk = () => true) {
  return new Promise((resolve) => {
    const result = { deltas: [], finals: [], tools: [], error: null, headers: null, trailers: null, afterStop: 0 };
    let counting = true;
    let status = false;
    let ended = false;
    const finish = () => {
      if (status && ended) {
        resolve(result);
      }
    };
    call.on('metadata', (md) => {
      result.headers = md;
    });
    call.on('data', (chunk) => {
      if (!counting) {
        result.afterStop++;
        return;
      }
      if (chunk.kind === 'contentDelta') {
        result.deltas.push(chunk.contentDelta);
      } else if (chunk.kind === 'final') {
        result.finals.push(chunk.final);
      } else if (chunk.kind === 'toolCallDelta') {
        result.tools.push(chunk.toolCallDelta);
      }
      if (onChunk(result) === false) {
        counting = false;
      }
    });
    call.on('error', (error) => {
      result.error = error;
    });
    call.on('status', (s) => {
      result.trailers = s.metadata;
      status = true;
      finish();
    });
    call.on('end', () => {
      ended = true;
      finish();
    });
  });
}

// ---------------------------------------------------------------- cases

async function caseComplete(ctx, observed) {
  const prompt = 'interop says hi';
  const { response, error, headers } = await unary(ctx.router, 'Complete', userRequest(prompt, { route: 'default' }));
  expectNoError(error, 'Complete on route default');
  Object.assign(observed, {
    content: response.content,
    provider: response.provider,
    model: response.model,
    request_id: response.requestId,
    header_request_id: first(headers, 'x-cortex-request-id'),
    output_tokens: Number(response.usage.outputTokens),
    attempts: response.attempts.map((a) => a.outcome),
  });
  expectEqual(response.content, mockText(prompt), 'content');
  expectEqual(response.provider, 'mock', 'provider');
  expect(observed.output_tokens > 0, `usage.output_tokens should be > 0, got ${observed.output_tokens}`);
  expectEqual(observed.attempts, ['ATTEMPT_OUTCOME_SUCCESS'], 'attempt outcomes');
  expect(response.requestId !== '', 'request_id is empty');
  expectEqual(observed.header_request_id, response.requestId, 'x-cortex-request-id response header');
}

async function caseStream0(ctx, observed) {
  let r = await readStream(ctx.router.StreamComplete(userRequest('anything', { route: 'empty' }), { deadline: deadlineIn(RPC_TIMEOUT_MS) }));
  expectNoError(r.error, 'StreamComplete on route empty');
  observed.empty = { chunks: r.deltas.length, finals: r.finals.length, tool_deltas: r.tools.length };
  expectEqual(r.deltas.length, 0, 'content chunks on route empty');
  expectEqual(r.tools.length, 0, 'tool-call chunks on route empty');
  expectEqual(r.finals.length, 1, 'final chunks on route empty');
  expectEqual(r.finals[0].content, '', 'final chunk content on route empty');
  expectEqual(r.finals[0].provider, 'empty', 'final chunk provider on route empty');

  r = await readStream(ctx.router.StreamComplete(userRequest('anything', { route: 'broken' }), { deadline: deadlineIn(RPC_TIMEOUT_MS) }));
  const messages = r.deltas.length + r.finals.length + r.tools.length;
  const rawLog = first(r.trailers, 'x-cortex-attempts-bin');
  observed.broken = {
    messages,
    status: r.error ? statusName(r.error.code) : 'OK',
    details: r.error ? r.error.details : null,
    initial_metadata_keys: r.headers ? Object.keys(r.headers.getMap()).sort() : null,
    trailer_keys: r.trailers ? Object.keys(r.trailers.getMap()).sort() : null,
    attempts_trailer_bytes: Buffer.isBuffer(rawLog) ? rawLog.length : null,
  };
  expectEqual(messages, 0, 'messages on route broken');
  expectStatus(r.error, grpc.status.UNAVAILABLE, 'StreamComplete on route broken');
  expect(Buffer.isBuffer(rawLog), `trailer x-cortex-attempts-bin missing or not binary: ${JSON.stringify(observed.broken.trailer_keys)}`);
  const log = ctx.api.decodeAttemptLog(rawLog);
  observed.broken.attempt_log = {
    request_id: log.requestId,
    attempts: log.attempts.map((a) => [a.provider, a.model, a.outcome]),
  };
  expectEqual(log.attempts.length, 1, 'attempts in x-cortex-attempts-bin');
  expectEqual([log.attempts[0].provider, log.attempts[0].outcome], ['broken', 'ATTEMPT_OUTCOME_ERROR'], 'the attempt');
  expect(log.requestId !== '', 'AttemptLog.request_id is empty');
  // Trailers-only: the single header block carries the status, so the request id is among the trailers.
  expectEqual(first(r.trailers, 'x-cortex-request-id'), log.requestId, 'x-cortex-request-id in the trailers');
  expect(r.headers === null || Object.keys(r.headers.getMap()).length === 0, `initial metadata of a trailers-only error: ${JSON.stringify(observed.broken.initial_metadata_keys)}`);
}

async function caseStream1(ctx, observed) {
  // Several words, a double space and non-ASCII text: the chunking and UTF-8 both show.
  const prompt = 'x  naïve 🙂 chunks';
  const expected = mockText(prompt);
  const expectedChunks = mockChunks(expected);
  const r = await readStream(ctx.router.StreamComplete(userRequest(prompt, { route: 'default' }), { deadline: deadlineIn(RPC_TIMEOUT_MS) }));
  expectNoError(r.error, 'StreamComplete on route default');
  Object.assign(observed, {
    content: r.deltas.join(''),
    chunks: r.deltas.length,
    expected_chunks: expectedChunks.length,
    finals: r.finals.length,
  });
  expectEqual(r.deltas, expectedChunks, 'content deltas');
  expectEqual(r.deltas.join(''), expected, 'concatenated deltas');
  expectEqual(r.finals.length, 1, 'final chunks');
  const final = r.finals[0];
  observed.final_content = final.content;
  observed.output_tokens = Number(final.usage.outputTokens);
  expectEqual(final.content, '', 'final chunk content');
  expectEqual(final.provider, 'mock', 'final chunk provider');
  expectEqual(observed.output_tokens, expectedChunks.length, 'final usage.output_tokens (one per chunk)');
  expect(final.requestId !== '', 'final request_id is empty');
}

async function caseStreamMany(ctx, observed) {
  const r = await readStream(ctx.router.StreamComplete(userRequest('count', { route: 'many' }), { deadline: deadlineIn(RPC_TIMEOUT_MS) }));
  expectNoError(r.error, 'StreamComplete on route many');
  const wrong = r.deltas.map((d, i) => (d === 'tick ' ? -1 : i)).filter((i) => i >= 0);
  Object.assign(observed, { chunks: r.deltas.length, finals: r.finals.length, wrong_chunks: wrong.length });
  expectEqual(r.deltas.length, 5000, 'content chunks');
  expect(wrong.length === 0, `${wrong.length} chunks are not 'tick ', first at index ${wrong[0]}: ${JSON.stringify(r.deltas[wrong[0]])}`);
  expectEqual(r.finals.length, 1, 'final chunks');
  expectEqual(r.finals[0].content, '', 'final chunk content');
  observed.output_tokens = Number(r.finals[0].usage.outputTokens);
}

async function checked(promise, what) {
  const { response, error } = await promise;
  expectNoError(error, what);
  return response;
}

async function providerCalls(ctx) {
  const listing = await checked(unary(ctx.router, 'ListProviders', {}), 'ListProviders');
  return listing.providers.flatMap((p) => p.targets).reduce((sum, t) => sum + Number(t.successes) + Number(t.failures), 0);
}

async function caseRoute(ctx, observed) {
  const requestsBefore = Number((await checked(unary(ctx.router, 'GetStats', {}), 'GetStats')).total.requests);
  const callsBefore = await providerCalls(ctx);

  const chat = await checked(unary(ctx.router, 'Route', userRequest('plan me', { taskType: 'TASK_TYPE_USER_CHAT' })), 'Route for TASK_TYPE_USER_CHAT');
  const fallback = await checked(unary(ctx.router, 'Route', userRequest('plan me', { route: 'fallback' })), 'Route for route fallback');

  const requestsAfter = Number((await checked(unary(ctx.router, 'GetStats', {}), 'GetStats')).total.requests);
  const callsAfter = await providerCalls(ctx);

  const describe = (decision) => decision.candidates.map((c) => [c.provider, c.model, c.route, c.eligible]);
  Object.assign(observed, {
    user_chat: { route: chat.route, task_type: chat.taskType, candidates: describe(chat) },
    fallback: { route: fallback.route, candidates: describe(fallback) },
    requests_before: requestsBefore,
    requests_after: requestsAfter,
    provider_calls_before: callsBefore,
    provider_calls_after: callsAfter,
  });
  expectEqual(chat.route, 'default', 'route chosen for TASK_TYPE_USER_CHAT');
  expectEqual(chat.taskType, 'TASK_TYPE_USER_CHAT', 'task type echoed for TASK_TYPE_USER_CHAT');
  expectEqual(describe(chat), [['mock', 'mock-1', 'default', true]], 'candidates for TASK_TYPE_USER_CHAT');
  expectEqual(fallback.route, 'fallback', 'route of the fallback decision');
  expectEqual(
    describe(fallback),
    [['broken', 'broken-1', 'fallback', true], ['mock', 'mock-1', 'default', true]],
    'candidates for route fallback',
  );
  expectEqual(requestsAfter, requestsBefore, 'GetStats request count (Route must not run a request)');
  expectEqual(callsAfter, callsBefore, 'provider attempts in ListProviders (Route must not call a provider)');
}

async function caseHealth(ctx, observed) {
  for (const service of ['', 'cortex.llm.v1.Router']) {
    const response = await checked(unary(ctx.health, 'Check', { service }), `Check(${JSON.stringify(service)})`);
    observed[service || '(daemon)'] = response.status;
    expectEqual(response.status, 'SERVING', `Check(${JSON.stringify(service)})`);
  }
  const { response, error } = await unary(ctx.health, 'Check', { service: 'nope' });
  observed.nope = error ? statusName(error.code) : `answered ${response.status}`;
  expectStatus(error, grpc.status.NOT_FOUND, "Check('nope')");
}

async function caseDeadline(ctx, observed) {
  // The client's deadline timer and the daemon's race each other (the client then resets the
  // stream), so one call samples that race once; several calls make a daemon that records the
  // wrong status show up reliably on the C# side.
  observed.calls = [];
  for (let i = 0; i < DEADLINE_CALLS; i++) {
    const requestId = newRequestId('deadline');
    const started = performance.now();
    const { error } = await unary(ctx.router, 'Complete', userRequest('take your time', { route: 'slow' }), {
      metadata: metadataOf([['x-cortex-request-id', requestId]]),
      deadline: deadlineIn(300),
    });
    const elapsed = (performance.now() - started) / 1000;
    observed.calls.push({ request_id: requestId, status: error ? statusName(error.code) : 'OK', elapsed_s: Number(elapsed.toFixed(3)) });
    expectStatus(error, grpc.status.DEADLINE_EXCEEDED, 'Complete on route slow with a 0.3 s timeout');
    expect(elapsed < 5, `the deadline took ${elapsed.toFixed(3)} s to fire`);
  }
}

async function caseCancelStream(ctx, observed) {
  const requestId = newRequestId('cancel-stream');
  const call = ctx.router.StreamComplete(userRequest('keep going', { route: 'trickle' }), metadataOf([['x-cortex-request-id', requestId]]), {
    deadline: deadlineIn(RPC_TIMEOUT_MS),
  });
  const r = await readStream(call, (state) => {
    if (state.deltas.length < 5) {
      return true;
    }
    call.cancel();
    return false;
  });
  Object.assign(observed, {
    request_id: requestId,
    chunks: r.deltas.length,
    chunks_after_cancel: r.afterStop,
    status: r.error ? statusName(r.error.code) : 'OK',
    details: r.error ? r.error.details : null,
  });
  expectEqual(r.deltas, Array(5).fill('drip '), 'chunks read before cancelling');
  expectStatus(r.error, grpc.status.CANCELLED, 'the stream after cancel()');
}

async function caseUnimplemented(ctx, observed) {
  const identity = (x) => x;
  // grpc-dotnet's standard details say which part is unknown: the method of a served service, or the service.
  for (const [method, name] of [['/cortex.llm.v1.Router/NoSuchMethod', 'Method is unimplemented'], ['/no.such.Service/Method', 'Service is unimplemented']]) {
    const { response, error } = await new Promise((resolve) => {
      ctx.raw.makeUnaryRequest(method, identity, identity, Buffer.alloc(0), { deadline: deadlineIn(RPC_TIMEOUT_MS) }, (e, res) =>
        resolve({ response: res, error: e }),
      );
    });
    observed[method] = { status: error ? statusName(error.code) : `answered ${response?.length} bytes`, details: error ? error.details : null };
    expectStatus(error, grpc.status.UNIMPLEMENTED, method);
    expect((error.details ?? '').includes(name), `${method}: details ${JSON.stringify(error.details)} do not say ${name}`);
  }
}

async function caseOversize(ctx, observed) {
  const request = userRequest('x'.repeat(5 * 1024 * 1024), { route: 'default' });
  const started = performance.now();
  const { error } = await unary(ctx.bigRouter, 'Complete', request);
  Object.assign(observed, {
    status: error ? statusName(error.code) : 'OK',
    details: error ? error.details : null,
    elapsed_s: Number(((performance.now() - started) / 1000).toFixed(3)),
  });
  expectStatus(error, grpc.status.RESOURCE_EXHAUSTED, 'Complete with a 5 MiB message');
  // The channel still works afterwards.
  const after = await checked(unary(ctx.bigRouter, 'Complete', userRequest('after', { route: 'default' })), 'a normal call after the oversize one');
  observed.after = after.content;
  expectEqual(after.content, mockText('after'), 'a normal call after the oversize one');
}

async function caseMetadata(ctx, observed) {
  const correlation = Buffer.from([0, 255, 1, 128, 10]);
  const { response, error, headers } = await unary(ctx.router, 'Complete', userRequest('who am i', { route: 'default' }), {
    metadata: metadataOf([
      ['x-cortex-request-id', 'interop-123'],
      ['x-cortex-correlation-bin', correlation],
    ]),
  });
  expectNoError(error, 'Complete with metadata');
  const echoed = first(headers, 'x-cortex-correlation-bin');
  Object.assign(observed, {
    header_request_id: first(headers, 'x-cortex-request-id'),
    request_id: response.requestId,
    correlation: Buffer.isBuffer(echoed) ? [...echoed] : (echoed ?? null),
  });
  expectEqual(observed.header_request_id, 'interop-123', 'x-cortex-request-id response header');
  expectEqual(response.requestId, 'interop-123', 'response.request_id');
  expect(Buffer.isBuffer(echoed) && echoed.equals(correlation), `x-cortex-correlation-bin response header: expected [0,255,1,128,10], got ${JSON.stringify(observed.correlation)}`);
}

async function caseConcurrent(ctx, observed) {
  const count = 120;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => unary(ctx.router, 'Complete', userRequest(`call ${i}`, { route: 'default' }))));
  const failures = [];
  const ids = new Set();
  results.forEach(({ response, error }, i) => {
    if (error) {
      failures.push(`call ${i}: ${statusName(error.code)}: ${error.details}`);
      return;
    }
    ids.add(response.requestId);
    if (response.content !== mockText(`call ${i}`)) {
      failures.push(`call ${i}: content ${JSON.stringify(response.content)}`);
    }
  });
  Object.assign(observed, {
    calls: count,
    succeeded: count - failures.length,
    distinct_request_ids: ids.size,
    elapsed_s: Number(((performance.now() - started) / 1000).toFixed(3)),
  });
  expect(failures.length === 0, `${failures.length} of ${count} calls failed: ${failures.slice(0, 5).join('; ')}`);
  expectEqual(ids.size, count, 'distinct request ids');
}

const CASES = {
  complete: caseComplete,
  'stream-0': caseStream0,
  'stream-1': caseStream1,
  'stream-many': caseStreamMany,
  route: caseRoute,
  health: caseHealth,
  deadline: caseDeadline,
  'cancel-stream': caseCancelStream,
  unimplemented: caseUnimplemented,
  oversize: caseOversize,
  metadata: caseMetadata,
  concurrent: caseConcurrent,
};

function parseArgs(argv) {
  const usage = `usage: node interop_client.js --socket PATH CASE (CASE: ${Object.keys(CASES).join(', ')})`;
  let socket = null;
  let name = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--socket' && i + 1 < argv.length) {
      socket = argv[++i];
    } else if (argv[i].startsWith('--socket=')) {
      socket = argv[i].slice('--socket='.length);
    } else if (!argv[i].startsWith('-') && name === null) {
      name = argv[i];
    } else {
      return { error: `unexpected argument ${argv[i]}\n${usage}` };
    }
  }
  if (!socket || !name) {
    return { error: usage };
  }
  if (!(name in CASES)) {
    return { error: `unknown case ${name}\n${usage}` };
  }
  return { socket, name };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.error) {
    process.stderr.write(args.error + '\n');
    return 2;
  }

  const observed = { case: args.name, client: 'node-grpc-js', grpc_version: require('@grpc/grpc-js/package.json').version };
  const started = performance.now();
  const clients = [];
  const report = (ok, error) => {
    observed.ok = ok;
    if (error) {
      observed.error = error;
    }
    observed.elapsed_s_total = Number(((performance.now() - started) / 1000).toFixed(3));
    process.stdout.write(JSON.stringify(observed) + '\n');
    if (!ok) {
      process.stderr.write(`interop case ${args.name} failed: ${error}\n`);
    }
    return ok ? 0 : 1;
  };

  // A case that hangs still reports what it saw, well inside the test's own process timeout.
  const watchdog = setTimeout(() => {
    process.exitCode = report(false, `the case did not finish within ${WATCHDOG_MS} ms`);
    process.exit();
  }, WATCHDOG_MS);

  try {
    const api = loadApi();
    const address = `unix:${args.socket}`;
    const credentials = grpc.credentials.createInsecure();
    const router = new api.Router(address, credentials);
    const ctx = {
      api,
      router,
      // A separate channel that may send more than 4 MiB, for the oversize case.
      bigRouter: new api.Router(address, credentials, { 'grpc.max_send_message_length': -1 }),
      health: new api.Health(address, credentials),
      raw: new grpc.Client(address, credentials),
    };
    clients.push(ctx.router, ctx.bigRouter, ctx.health, ctx.raw);
    await CASES[args.name](ctx, observed);
    return report(true);
  } catch (e) {
    return report(false, e instanceof CaseFailed ? e.message : `${e.name}: ${e.message}`);
  } finally {
    clearTimeout(watchdog);
    for (const client of clients) {
      client.close();
    }
  }
}

main().then((code) => {
  process.exitCode = code;
});
