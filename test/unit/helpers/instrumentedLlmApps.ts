// Small AI "apps", each traced by a real LLM instrumentation from npm: the `openai` client
// wrapped by OpenInference, by OpenTelemetry's GenAI instrumentation and by OpenLLMetry, and
// the Vercel AI SDK's own telemetry around its mock model. Each app asks one chat scenario
// and leaves the telemetry in its OtlpExportPipeline.
//
// The tests load `openai` through tsx (CommonJS), long before any instrumentation exists, so
// the require hooks would never see it load: every instrumentation is applied to the already
// loaded module by hand, through the entry point its package offers for that.
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation as OtelGenAiInstrumentation } from '@opentelemetry/instrumentation-openai';
import { OpenAIInstrumentation as OpenLlmetryInstrumentation } from '@traceloop/instrumentation-openai';
import { generateText, jsonSchema, tool } from 'ai';
import type * as AiTestExports from 'ai/dist/test';
import * as openaiModule from 'openai';
import { CANNED, FakeOpenAiServer, RESPONSE_MODEL } from './fakeOpenAiServer';
import type { OtlpExportPipeline } from './otlpExportPipeline';

// `ai/test` is only reachable through the package's exports map, which this repo's
// moduleResolution ("node") does not read: load it at run time, type it from its file.
const { MockLanguageModelV3 } = require('ai/test') as typeof AiTestExports;

/** The model the apps ask for; the fake API answers as its dated snapshot, RESPONSE_MODEL. */
export const REQUEST_MODEL = 'gpt-4o-mini';

export type ScenarioKind = 'text' | 'toolCall';

export interface ChatScenario {
  kind: ScenarioKind;
  /** A word found nowhere else, to find the trace by text search. */
  marker: string;
  system: string;
  user: string;
}

export function chatScenario(kind: ScenarioKind, marker: string): ChatScenario {
  return kind === 'text'
    ? { kind, marker, system: 'You are a terse guide to Icelandic lighthouses.', user: `How tall is the Hornbjargsviti lighthouse? (ref ${marker})` }
    : { kind, marker, system: 'You are a travel assistant. Use tools for live data.', user: `What is the weather in Reykjavik right now? (ref ${marker})` };
}

const WEATHER_TOOL = {
  name: CANNED.toolCall.name,
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
} as const;

export interface InstrumentedApp {
  /** The npm package that produces the telemetry. */
  readonly label: string;
  /** service.name of its resource; distinct per app so traces can be told apart. */
  readonly service: string;
  /** Whether it talks to the fake OpenAI API (the AI SDK's mock model does not). */
  readonly needsFakeApi: boolean;
  /** Whether message content leaves as log records (OTel GenAI events) rather than on the span. */
  readonly messagesInLogRecords: boolean;
  /** A span around the provider call that reports the same usage again, where the app has one. */
  readonly wrapper?: { spanName: string; totalTokensAttribute: string };
  start(pipeline: OtlpExportPipeline, fakeApi?: FakeOpenAiServer): void;
  ask(scenario: ChatScenario): Promise<void>;
  stop(): void;
}

type OpenAiModule = typeof openaiModule;

/** Patches and unpatches the loaded `openai` module for one instrumentation package. */
interface OpenAiPatcher {
  patch(module: OpenAiModule, pipeline: OtlpExportPipeline): void;
  unpatch(module: OpenAiModule): void;
}

/** An app calling chat.completions.create on the real client, pointed at the fake API. */
class OpenAiClientApp implements InstrumentedApp {
  readonly needsFakeApi = true;
  private client?: openaiModule.OpenAI;

  constructor(
    readonly label: string,
    readonly service: string,
    private readonly patcher: OpenAiPatcher,
    readonly messagesInLogRecords = false,
  ) {}

  start(pipeline: OtlpExportPipeline, fakeApi?: FakeOpenAiServer): void {
    if (!fakeApi) throw new Error(`${this.label} needs the fake OpenAI API`);
    this.patcher.patch(openaiModule, pipeline);
    this.client = new openaiModule.OpenAI({ apiKey: 'sk-test-local-only', baseURL: fakeApi.baseURL, maxRetries: 0 });
  }

  async ask(scenario: ChatScenario): Promise<void> {
    if (!this.client) throw new Error(`${this.label} was not started`);
    await this.client.chat.completions.create({
      model: REQUEST_MODEL,
      temperature: 0.2,
      messages: [
        { role: 'system', content: scenario.system },
        { role: 'user', content: scenario.user },
      ],
      ...(scenario.kind === 'toolCall' ? { tools: [{ type: 'function' as const, function: WEATHER_TOOL }] } : {}),
    });
  }

  stop(): void {
    this.patcher.unpatch(openaiModule);
  }
}

function openInferenceApp(): InstrumentedApp {
  let instrumentation: OpenInferenceInstrumentation | undefined;
  return new OpenAiClientApp('@arizeai/openinference-instrumentation-openai', 'app-openinference', {
    patch(module, pipeline) {
      instrumentation = new OpenInferenceInstrumentation({ tracerProvider: pipeline.tracerProvider });
      instrumentation.manuallyInstrument(module.OpenAI);
    },
    unpatch() {
      instrumentation?.disable(); // also removes the wrappers manuallyInstrument put on
    },
  });
}

interface OpenAiModuleDefinition {
  patch?: (moduleExports: OpenAiModule) => unknown;
  unpatch?: (moduleExports: OpenAiModule) => unknown;
}

/** What the require hook of an instrumentation would run on the module's load and on disable(). */
export function moduleDefinition(instrumentation: { getModuleDefinitions(): OpenAiModuleDefinition[] } | undefined) {
  const [definition] = instrumentation?.getModuleDefinitions() ?? [];
  if (!definition?.patch || !definition.unpatch) throw new Error('the instrumentation has no module definition for openai');
  return { patch: definition.patch, unpatch: definition.unpatch };
}

/**
 * @opentelemetry/instrumentation-openai patched onto the openai module, exporting to `pipeline`
 * (content as log records, only when `exportLogs`); returns its undo.
 */
export function patchOtelGenAi(pipeline: OtlpExportPipeline, captureMessageContent: boolean, exportLogs: boolean): () => void {
  const instrumentation = new OtelGenAiInstrumentation({ captureMessageContent });
  instrumentation.setTracerProvider(pipeline.tracerProvider);
  // Its token histogram exists only once a meter provider is set; a stream's usage chunk records to it.
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  // Without a logger provider of its own the instrumentation emits to the global one: by default nowhere.
  if (exportLogs) instrumentation.setLoggerProvider(pipeline.loggerProvider);
  moduleDefinition(instrumentation).patch(openaiModule);
  return () => {
    moduleDefinition(instrumentation).unpatch(openaiModule);
    instrumentation.disable();
  };
}

function otelGenAiApp(): InstrumentedApp {
  let instrumentation: OtelGenAiInstrumentation | undefined;
  return new OpenAiClientApp('@opentelemetry/instrumentation-openai', 'app-otel-genai', {
    patch(module, pipeline) {
      // Message content is opt-in (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true);
      // it travels as log records, not span attributes.
      instrumentation = new OtelGenAiInstrumentation({ captureMessageContent: true });
      instrumentation.setTracerProvider(pipeline.tracerProvider);
      instrumentation.setLoggerProvider(pipeline.loggerProvider);
      // The package has no manual entry point; its module definition's patch is what the
      // require hook would have run on load.
      moduleDefinition(instrumentation).patch(module);
    },
    unpatch(module) {
      moduleDefinition(instrumentation).unpatch(module);
      instrumentation?.disable();
    },
  }, true);
}

function openLlmetryApp(): InstrumentedApp {
  let instrumentation: OpenLlmetryInstrumentation | undefined;
  return new OpenAiClientApp('@traceloop/instrumentation-openai', 'app-openllmetry', {
    patch(module, pipeline) {
      instrumentation = new OpenLlmetryInstrumentation({ traceContent: true });
      instrumentation.setTracerProvider(pipeline.tracerProvider);
      instrumentation.manuallyInstrument(module.OpenAI);
    },
    unpatch(module) {
      // manuallyInstrument has no undo of its own; the module definition's unpatch removes
      // the same wrappers.
      moduleDefinition(instrumentation).unpatch(module);
      instrumentation?.disable();
    },
  });
}

/** The mock model answers with the same canned reply and usage as the fake API. */
function mockOpenAiModel(kind: ScenarioKind) {
  const usage = kind === 'text' ? CANNED.text.usage : CANNED.toolCall.usage;
  return new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId: REQUEST_MODEL,
    doGenerate: {
      content: kind === 'text'
        ? [{ type: 'text', text: CANNED.text.content }]
        : [{ type: 'tool-call', toolCallId: CANNED.toolCall.id, toolName: CANNED.toolCall.name, input: JSON.stringify(CANNED.toolCall.arguments) }],
      finishReason: kind === 'text' ? { unified: 'stop', raw: 'stop' } : { unified: 'tool-calls', raw: 'tool_calls' },
      usage: {
        inputTokens: { total: usage.prompt_tokens, noCache: usage.prompt_tokens, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: usage.completion_tokens, text: usage.completion_tokens, reasoning: 0 },
      },
      response: { id: `chatcmpl-mock-${kind}`, modelId: RESPONSE_MODEL, timestamp: new Date() },
      warnings: [],
    },
  });
}

function vercelAiSdkApp(): InstrumentedApp {
  let pipeline: OtlpExportPipeline | undefined;
  return {
    label: 'ai (Vercel AI SDK) experimental_telemetry',
    service: 'app-vercel-ai',
    needsFakeApi: false,
    messagesInLogRecords: false,
    wrapper: { spanName: 'ai.generateText', totalTokensAttribute: 'ai.usage.totalTokens' },
    start(p) {
      pipeline = p;
    },
    async ask(scenario) {
      if (!pipeline) throw new Error('the AI SDK app was not started');
      await generateText({
        model: mockOpenAiModel(scenario.kind),
        system: scenario.system,
        prompt: scenario.user,
        temperature: 0.2,
        ...(scenario.kind === 'toolCall'
          ? { tools: { [WEATHER_TOOL.name]: tool({ description: WEATHER_TOOL.description, inputSchema: jsonSchema(mutableSchema(WEATHER_TOOL.parameters)) }) } }
          : {}),
        experimental_telemetry: { isEnabled: true, functionId: 'lighthouse-guide', tracer: pipeline.tracerProvider.getTracer('ai') },
      });
    },
    stop() {
      pipeline = undefined;
    },
  };
}

export function instrumentedApps(): InstrumentedApp[] {
  return [openInferenceApp(), otelGenAiApp(), openLlmetryApp(), vercelAiSdkApp()];
}

/** The tool's schema as the AI SDK types it (JSONSchema7 has mutable arrays; ours is a readonly literal). */
function mutableSchema(schema: typeof WEATHER_TOOL.parameters): Parameters<typeof jsonSchema>[0] {
  return JSON.parse(JSON.stringify(schema)) as Parameters<typeof jsonSchema>[0];
}
