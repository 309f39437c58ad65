// Copy-paste instrumentation that sends traces, with prompts and responses, to this window's
// receiver: one snippet per stack users run. Each starts with its install line and is meant to
// run once at start-up, before the app creates its client. test/unit/snippets.test.ts installs
// the Node ones from npm exactly as written and checks that LLM spans with the prompt arrive.

export type SnippetLanguage = 'python' | 'node';

export interface InstrumentationSnippet {
  /** Stable id, also the argument of the Copy Instrumentation Snippet command. */
  readonly id: string;
  readonly language: SnippetLanguage;
  /** What the user picks: the library their app calls. */
  readonly label: string;
  /** The packages the snippet imports, for the install line. */
  readonly packages: readonly string[];
  /** The snippet for a receiver on this OTLP/HTTP port. */
  code(httpPort: number): string;
}

const tracesUrl = (httpPort: number) => `http://127.0.0.1:${httpPort}/v1/traces`;

// Python: the OTel SDK exporting OTLP/HTTP protobuf, and an OpenInference instrumentor, which
// records prompts and responses by default (OPENINFERENCE_HIDE_INPUTS/OUTPUTS turn that off).
const PYTHON_SDK = ['opentelemetry-sdk', 'opentelemetry-exporter-otlp-proto-http'];

// Instrumentations rarely record where a call came from: this processor stamps every span, as it
// starts, with the first frame of the user's own code (not the standard library, site-packages
// or the SDK), so the span opens its call site. Walking frames is cheap and bounded.
const PYTHON_CALL_SITE = `class CallSiteProcessor(SpanProcessor):
    \"\"\"Records where each span starts in your code: code.file.path, code.line.number, code.function.name.\"\"\"

    _library = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})

    def on_start(self, span, parent_context=None):
        frame = sys._getframe(1)
        for _ in range(100):
            if frame is None:
                return
            path = frame.f_code.co_filename
            if not (path.startswith(self._library) or path.startswith("<") or "site-packages" in path or "dist-packages" in path):
                span.set_attributes({"code.file.path": path, "code.line.number": frame.f_lineno, "code.function.name": frame.f_code.co_name})
                return
            frame = frame.f_back
`;

function pythonSnippet(id: string, label: string, library: string, instrumentation: string, module: string, instrumentor: string): InstrumentationSnippet {
  const packages = [library, instrumentation, ...PYTHON_SDK];
  return {
    id, language: 'python', label, packages,
    code: (httpPort) => `# pip install ${packages.join(' ')}
# Run once at start-up, before your app makes its first ${label} call.
import sys
import sysconfig
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from ${module} import ${instrumentor}


${PYTHON_CALL_SITE}

provider = TracerProvider(resource=Resource.create({"service.name": "my-ai-app"}))
provider.add_span_processor(CallSiteProcessor())
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint="${tracesUrl(httpPort)}")))
trace.set_tracer_provider(provider)
${instrumentor}().instrument(tracer_provider=provider)
`,
  };
}

// Node: the OTel SDK registered globally, spans flushed before the process exits. ES modules
// are not seen by require hooks, so each instrumentation is applied to the module it patches.
const NODE_SDK = ['@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/resources'];

// The same call-site processor for Node: one stack capture per span start, at most 60 frames;
// the first frame after this processor's own that is a file outside node_modules is the user's.
// Awaited callers count (`at async f (file)`). LangChain.js starts its spans from a callback
// queue, where no frame of the app is on the stack: those spans get no call site, not a wrong one.
export const NODE_CALL_SITE = `// Records where each span starts in your code: code.file.path, code.line.number, code.function.name.
const callSite = {
  onStart(span) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 60;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    for (const frame of stack.split('\\n').slice(2)) {
      const [, name, where, line] = /^\\s*at (?:async )?(?:(.*?) \\()?(.*):(\\d+):\\d+\\)?$/.exec(frame) ?? [];
      const file = where?.startsWith('file:') ? fileURLToPath(where) : where;
      if (!file || !isAbsolute(file) || /[\\\\/]node_modules[\\\\/]/.test(file)) continue;
      span.setAttributes({ 'code.file.path': file, 'code.line.number': Number(line) });
      if (name && !name.includes('<')) span.setAttribute('code.function.name', name);
      return;
    }
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};`;

function nodeSnippet(id: string, label: string, packages: readonly string[], imports: string, instrument: string): InstrumentationSnippet {
  const all = [...packages, ...NODE_SDK];
  return {
    id, language: 'node', label, packages: all,
    code: (httpPort) => `// npm i ${all.join(' ')}
// tracing.mjs: import it first (import './tracing.mjs') or run node --import ./tracing.mjs app.mjs
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
${imports}

${NODE_CALL_SITE}

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'my-ai-app' }),
  spanProcessors: [callSite, new BatchSpanProcessor(new OTLPTraceExporter({ url: '${tracesUrl(httpPort)}' }))],
});
provider.register();
process.once('beforeExit', () => provider.shutdown()); // send the last spans before exiting

${instrument}
`,
  };
}

export const SNIPPETS: readonly InstrumentationSnippet[] = [
  pythonSnippet('python-openai', 'OpenAI', 'openai', 'openinference-instrumentation-openai', 'openinference.instrumentation.openai', 'OpenAIInstrumentor'),
  pythonSnippet('python-anthropic', 'Anthropic', 'anthropic', 'openinference-instrumentation-anthropic', 'openinference.instrumentation.anthropic', 'AnthropicInstrumentor'),
  pythonSnippet('python-langchain', 'LangChain', 'langchain', 'openinference-instrumentation-langchain', 'openinference.instrumentation.langchain', 'LangChainInstrumentor'),
  pythonSnippet('python-llamaindex', 'LlamaIndex', 'llama-index', 'openinference-instrumentation-llama-index', 'openinference.instrumentation.llama_index', 'LlamaIndexInstrumentor'),
  pythonSnippet('python-dspy', 'DSPy', 'dspy', 'openinference-instrumentation-dspy', 'openinference.instrumentation.dspy', 'DSPyInstrumentor'),
  nodeSnippet('node-openai', 'OpenAI (openai)', ['openai', '@arizeai/openinference-instrumentation-openai'],
    `import OpenAI from 'openai';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';`,
    `// Records prompts and responses (OPENINFERENCE_HIDE_INPUTS/OUTPUTS=true turn that off).
new OpenAIInstrumentation().manuallyInstrument(OpenAI);`),
  nodeSnippet('node-langchain', 'LangChain.js', ['@langchain/core', '@arizeai/openinference-instrumentation-langchain'],
    `import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';`,
    `// Records prompts and responses (OPENINFERENCE_HIDE_INPUTS/OUTPUTS=true turn that off).
new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);`),
  nodeSnippet('node-vercel-ai', 'Vercel AI SDK', ['ai', '@ai-sdk/otel'],
    `import { registerTelemetry } from 'ai';
import { OpenTelemetry } from '@ai-sdk/otel';`,
    `// Every generateText / streamText call is traced with its prompt and response. AI SDK 6 and
// older: skip these lines and pass experimental_telemetry: { isEnabled: true } to each call.
registerTelemetry(new OpenTelemetry());`),
];
