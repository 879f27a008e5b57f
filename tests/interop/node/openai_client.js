#!/usr/bin/env node
// Interop client for cortex-llmd's OpenAI-compatible door, built on the official `openai` npm package.
//
// Usage: node openai_client.js (--base-url URL | --socket PATH) SCENARIO
//
// Runs one SCENARIO through an unmodified OpenAI client, over TCP (--base-url, the SDK's own fetch) or
// over the door's Unix socket (--socket: undici's fetch with a dispatcher that connects to PATH), and
// prints one JSON object with what the SDK returned. The NUnit side (OpenAiNodeInteropTests) asserts on
// it: this script only observes, so a wrong value shows up there with the daemon's view beside it.
// Exits 1 when the SDK threw where it should not have (the error goes into the report and stderr).
'use strict';

const OpenAI = require('openai');
const undici = require('undici');
const { VERSION: SDK_VERSION } = require('openai/version');

const WATCHDOG_MS = 55_000;

// The tool both tool-call requests offer; the mock provider answers the first with a call to it.
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const CITY_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' } },
  required: ['city', 'population'],
  additionalProperties: false,
};

function parseArgs(argv) {
  const args = { baseURL: null, socketPath: null, scenario: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--base-url') {
      args.baseURL = argv[++i];
    } else if (argv[i] === '--socket') {
      args.socketPath = argv[++i];
    } else {
      args.scenario = argv[i];
    }
  }
  if (!args.scenario || (!args.baseURL === !args.socketPath)) {
    throw new Error('usage: node openai_client.js (--base-url URL | --socket PATH) SCENARIO');
  }
  return args;
}

// No retries: every status the door answers must reach the scenario as it was sent.
function makeClient({ baseURL, socketPath }) {
  if (baseURL) {
    return new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
  }
  // The host part is unused on a Unix socket but still sent as the Host header.
  const dispatcher = new undici.Agent({ connect: { socketPath } });
  return new OpenAI({ baseURL: 'http://localhost/v1', apiKey: 'unused', maxRetries: 0, fetch: undici.fetch, fetchOptions: { dispatcher } });
}

function cortexHeaders(response) {
  const out = {};
  for (const name of ['request-id', 'provider', 'model', 'attempts', 'cost-nano-usd']) {
    out[name] = response.headers.get('x-cortex-' + name);
  }
  return out;
}

function describeError(err) {
  return {
    class: err?.constructor?.name ?? typeof err,
    is_api_error: err instanceof OpenAI.APIError,
    status: err?.status ?? null,
    type: err?.type ?? null,
    code: err?.code ?? null,
    param: err?.param ?? null,
    message: err?.message ?? String(err),
  };
}

// Runs a call that must fail; reports the typed error the SDK raised.
async function expectError(call, expectedClass) {
  try {
    const value = await call();
    return { threw: false, value: JSON.stringify(value).slice(0, 500) };
  } catch (err) {
    return { threw: true, instance_of_expected: err instanceof expectedClass, ...describeError(err) };
  }
}

// ---------------------------------------------------------------- scenarios

async function complete(client) {
  const { data, response } = await client.chat.completions
    .create({ model: 'cortex/priced', messages: [{ role: 'user', content: 'What is the capital of France?' }] })
    .withResponse();
  return {
    object: data.object,
    id: data.id,
    model: data.model,
    content: data.choices[0].message.content,
    role: data.choices[0].message.role,
    finish_reason: data.choices[0].finish_reason,
    choices: data.choices.length,
    usage: data.usage,
    headers: cortexHeaders(response),
  };
}

async function stream(client) {
  const { data: chunks, response } = await client.chat.completions
    .create({
      model: 'cortex/priced',
      messages: [{ role: 'user', content: 'Stream me the capital of France.' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    .withResponse();
  let content = '';
  let chunkCount = 0;
  let contentChunks = 0;
  let finishReason = null;
  const usageChunks = [];
  const ids = new Set();
  const models = new Set();
  for await (const chunk of chunks) {
    chunkCount++;
    ids.add(chunk.id);
    models.add(chunk.model);
    for (const choice of chunk.choices) {
      if (choice.delta?.content) {
        content += choice.delta.content;
        contentChunks++;
      }
      finishReason = choice.finish_reason ?? finishReason;
    }
    if (chunk.usage) {
      usageChunks.push({ index: chunkCount, choices: chunk.choices.length, usage: chunk.usage });
    }
  }
  return {
    content,
    chunks: chunkCount,
    content_chunks: contentChunks,
    finish_reason: finishReason,
    usage_chunks: usageChunks,
    ids: [...ids],
    models: [...models],
    headers: cortexHeaders(response),
  };
}

// The loop every SDK user writes: send tools, run the call, append the assistant message as returned
// and the tool's result, ask again. The second request refuses further calls so the mock answers text.
async function tools(client) {
  const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const first = await client.chat.completions.create({ model: 'cortex/default', messages, tools: [WEATHER_TOOL] });
  const assistant = first.choices[0].message;
  const calls = assistant.tool_calls ?? [];
  messages.push(assistant);
  const toolResult = JSON.stringify({ city: 'Paris', temperature_c: 21 });
  for (const call of calls) {
    messages.push({ role: 'tool', tool_call_id: call.id, content: toolResult });
  }
  const { data: second, response } = await client.chat.completions
    .create({ model: 'cortex/default', messages, tools: [WEATHER_TOOL], tool_choice: 'none' })
    .withResponse();
  return {
    first: {
      finish_reason: first.choices[0].finish_reason,
      content: assistant.content,
      tool_calls: calls.map((c) => ({ id: c.id, type: c.type, name: c.function.name, arguments: c.function.arguments })),
    },
    second: {
      finish_reason: second.choices[0].finish_reason,
      content: second.choices[0].message.content,
      tool_calls: second.choices[0].message.tool_calls ?? [],
      usage: second.usage,
      headers: cortexHeaders(response),
    },
    sent_messages: messages.map((m) => m.role),
    sent_text: messages.map((m) => m.content ?? ''),
  };
}

// The SDK's own stream helper joins tool-call deltas into whole calls, checking indices and types.
async function streamTools(client) {
  const runner = client.chat.completions.stream({
    model: 'cortex/default',
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    tools: [WEATHER_TOOL],
    stream_options: { include_usage: true },
  });
  let contentEvents = 0;
  runner.on('content.delta', () => contentEvents++);
  const final = await runner.finalChatCompletion();
  const message = final.choices[0].message;
  return {
    content: message.content,
    content_events: contentEvents,
    finish_reason: final.choices[0].finish_reason,
    tool_calls: (message.tool_calls ?? []).map((c) => ({ id: c.id, type: c.type, name: c.function.name, arguments: c.function.arguments })),
    usage: final.usage ?? null,
  };
}

// A stream whose provider fails after its first pieces: the SDK must raise, not end as if complete.
async function streamFail(client) {
  const { data: chunks, response } = await client.chat.completions
    .create({ model: 'cortex/cut', messages: [{ role: 'user', content: 'one two three four' }], stream: true })
    .withResponse();
  let content = '';
  let chunkCount = 0;
  let error = null;
  try {
    for await (const chunk of chunks) {
      chunkCount++;
      content += chunk.choices[0]?.delta?.content ?? '';
    }
  } catch (err) {
    error = { instance_of_expected: err instanceof OpenAI.APIError, ...describeError(err) };
  }
  return { content, chunks: chunkCount, error, status: response.status, headers: cortexHeaders(response) };
}

async function schema(client) {
  const { data, response } = await client.chat.completions
    .create({
      model: 'cortex/schema',
      messages: [{ role: 'user', content: 'Name the largest city in France, with its population.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: CITY_SCHEMA } },
    })
    .withResponse();
  const content = data.choices[0].message.content;
  let parsed = null;
  try {
    parsed = JSON.parse(content);
  } catch {
    // Reported as null: the NUnit side fails with the raw content beside it.
  }
  return { content, parsed, model: data.model, finish_reason: data.choices[0].finish_reason, headers: cortexHeaders(response) };
}

async function errors(client, transport) {
  const ask = (extra) => client.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }], ...extra });
  return {
    unknown_model: await expectError(() => ask({ model: 'nosuch/model-9' }), OpenAI.NotFoundError),
    bad_tool_name: await expectError(
      () => ask({ model: 'cortex/default', tools: [{ ...WEATHER_TOOL, function: { ...WEATHER_TOOL.function, name: 'get weather' } }] }),
      OpenAI.BadRequestError,
    ),
    all_failed: await expectError(() => ask({ model: 'cortex/broken' }), OpenAI.InternalServerError),
    ...(await overBudget(client, transport)),
  };
}

// Per-request headers are how an SDK caller names its tenant. The tenant's budget admits calls while
// its spend is under the limit: the first answer spends past it, the second is refused.
async function overBudget(client, transport) {
  const askAsTenant = () => client.chat.completions.create(
    { model: 'cortex/priced', messages: [{ role: 'user', content: 'hi' }] },
    { headers: { 'x-cortex-tenant': 'capped-' + transport } },
  );
  const spent = await askAsTenant();
  return {
    budget_first_content: spent.choices[0].message.content,
    over_budget: await expectError(askAsTenant, OpenAI.RateLimitError),
  };
}

async function models(client) {
  const ids = [];
  for await (const model of client.models.list()) {
    ids.push({ id: model.id, object: model.object, owned_by: model.owned_by });
  }
  return { models: ids };
}

const SCENARIOS = { complete, stream, 'stream-tools': streamTools, 'stream-fail': streamFail, tools, schema, errors, models };

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const scenario = SCENARIOS[args.scenario];
  if (!scenario) {
    throw new Error(`unknown scenario '${args.scenario}'; known: ${Object.keys(SCENARIOS).join(', ')}`);
  }
  const transport = args.socketPath ? 'unix' : 'tcp';
  try {
    const observed = await scenario(makeClient(args), transport);
    process.stdout.write(JSON.stringify({ ok: true, scenario: args.scenario, transport, sdk_version: SDK_VERSION, ...observed }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, scenario: args.scenario, transport, error: describeError(err) }) + '\n');
    process.stderr.write(`${args.scenario} over ${transport}: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  }
}

const watchdog = setTimeout(() => {
  process.stderr.write(`watchdog: no result within ${WATCHDOG_MS} ms\n`);
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
