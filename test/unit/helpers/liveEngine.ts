// A running engine on free loopback ports and the fake OpenAI API, started before a describe
// block's tests and closed after them.
import { startEngine, type Engine } from '../../../src/engine/engine';
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
