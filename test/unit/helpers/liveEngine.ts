// A running engine on free loopback ports and the fake OpenAI API, started before a describe
// block's tests and closed after them.
import { startEngine, type Engine } from '../../../src/engine/engine';
import { QueryApiClient } from '../../../src/shared/queryApi';
import { agentRunSpans, sendOtlpJson } from '../../integration/agentRunTraffic';
import { EngineApiClient } from './engineApiClient';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './fakeOpenAiServer';

export interface LiveEngine {
  engine: Engine;
  api: EngineApiClient;
  fakeApi: FakeOpenAiServer;
}

/** Call inside `describe`; the fields are set once its `before` hook has run. */
export function useLiveEngine(): LiveEngine {
  const live = {} as LiveEngine;
  before(async () => {
    live.engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0 });
    live.api = new EngineApiClient(live.engine.httpPort);
    live.fakeApi = await startFakeOpenAiServer();
  });
  after(async () => {
    await live.fakeApi?.close();
    await live.engine?.close();
  });
  return live;
}

export interface AgentRunEngine {
  engine: Engine;
  api: QueryApiClient;
}

/** Call inside `describe`: an engine (no gRPC) holding one agent run of `spans` spans, sent in requests of `perRequest`. */
export function useEngineWithAgentRun(traceNumber: number, spans: number, perRequest = 500): AgentRunEngine {
  const live = {} as AgentRunEngine;
  before(async () => {
    live.engine = await startEngine({ httpPort: 0, grpcPort: null });
    live.api = new QueryApiClient(live.engine.httpPort);
    await sendOtlpJson(live.engine.httpPort, agentRunSpans(traceNumber, spans, 1_780_000_000_000), perRequest);
  });
  after(() => live.engine?.close());
  return live;
}
