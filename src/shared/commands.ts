// Every command id, view id and context key the extension and package.json share, in one place:
// registration, tree items, hovers and tests use these, and test/unit/contributions.test.ts checks
// package.json's contributions against them, so an id cannot be typed twice or drift.

/** Finding and opening traces. */
export const TRACE_COMMANDS = {
  openTrace: 'aiTraceInspector.openTrace',
  openTraceToSide: 'aiTraceInspector.openTraceToSide',
  openTraceById: 'aiTraceInspector.openTraceById',
  showSlowTraces: 'aiTraceInspector.showSlowTraces',
  showFailedTraces: 'aiTraceInspector.showFailedTraces',
  showExpensiveTraces: 'aiTraceInspector.showExpensiveTraces',
  searchTraces: 'aiTraceInspector.searchTraces',
  showStepTraces: 'aiTraceInspector.showStepTraces',
} as const;

/** Acting on traces: files in and out, comparing, clearing. */
export const TRACE_ACTION_COMMANDS = {
  importTraceFile: 'aiTraceInspector.importTraceFile',
  exportTrace: 'aiTraceInspector.exportTrace',
  exportDataset: 'aiTraceInspector.exportDataset',
  compareTraces: 'aiTraceInspector.compareTraces',
  clearTraces: 'aiTraceInspector.clearTraces',
  copySnippet: 'aiTraceInspector.copySnippet',
} as const;

/** The Traces and Steps views' title bars. */
export const VIEW_COMMANDS = {
  refresh: 'aiTraceInspector.refresh',
  filterErrors: 'aiTraceInspector.filterErrors',
  filterSlow: 'aiTraceInspector.filterSlow',
  filterText: 'aiTraceInspector.filterText',
  applySavedFilter: 'aiTraceInspector.applySavedFilter',
  clearFilters: 'aiTraceInspector.clearFilters',
  sortSteps: 'aiTraceInspector.sortSteps',
  groupSteps: 'aiTraceInspector.groupSteps',
} as const;

/** Across traces: sessions, the LLM calls table, a call's context window. */
export const SESSION_COMMANDS = {
  openSession: 'aiTraceInspector.openSession',
  showLlmCalls: 'aiTraceInspector.showLlmCalls',
  showContextXray: 'aiTraceInspector.showContextXray',
  filterTracesBySession: 'aiTraceInspector.filterTracesBySession',
} as const;

/** The engine process. */
export const ENGINE_COMMANDS = {
  startReceiver: 'aiTraceInspector.startReceiver',
  stopReceiver: 'aiTraceInspector.stopReceiver',
  restartEngine: 'aiTraceInspector.restartEngine',
  showLog: 'aiTraceInspector.showLog',
} as const;

/** Copilot Chat's own OpenTelemetry export. */
export const CHAT_COMMANDS = {
  traceCopilotChat: 'aiTraceInspector.traceCopilotChat',
  stopTracingCopilotChat: 'aiTraceInspector.stopTracingCopilotChat',
} as const;

/** Regression tests: Save as Test on a trace, and what a failed test offers in Test Explorer. */
export const TEST_COMMANDS = {
  saveAsTest: 'aiTraceInspector.saveAsTest',
  openTestTrace: 'aiTraceInspector.openTestTrace',
  compareWithBaseline: 'aiTraceInspector.compareWithBaseline',
} as const;

/** Replaying an LLM call with an edited request (src/extension/replay). */
export const REPLAY_COMMANDS = {
  replaySpan: 'aiTraceInspector.replaySpan',
  runReplay: 'aiTraceInspector.runReplay',
  runReplayTimes: 'aiTraceInspector.runReplayTimes',
  compareReplay: 'aiTraceInspector.compareReplay',
  chooseReplayTarget: 'aiTraceInspector.chooseReplayTarget',
  setReplayApiKey: 'aiTraceInspector.setReplayApiKey',
} as const;

/** Team backends (Tempo, Jaeger, ClickHouse, Phoenix, Langfuse). */
export const BACKEND_COMMANDS = {
  searchTeamTraces: 'aiTraceInspector.searchTeamTraces',
  setBackendHeader: 'aiTraceInspector.setBackendHeader',
  openInBackend: 'aiTraceInspector.openInBackend',
} as const;

/** Trace Doctor: a quick fix's diff (run by the code action, not the palette) and its title bar's Apply / Cancel. */
export const DOCTOR_COMMANDS = {
  previewDoctorFix: 'aiTraceInspector.previewDoctorFix',
  applyDoctorFix: 'aiTraceInspector.applyDoctorFix',
  cancelDoctorFix: 'aiTraceInspector.cancelDoctorFix',
} as const;

/** Every contributed command. */
export const COMMANDS = {
  ...TRACE_COMMANDS, ...TRACE_ACTION_COMMANDS, ...VIEW_COMMANDS, ...SESSION_COMMANDS, ...ENGINE_COMMANDS, ...CHAT_COMMANDS, ...TEST_COMMANDS, ...REPLAY_COMMANDS,
  ...BACKEND_COMMANDS, ...DOCTOR_COMMANDS,
} as const;
export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];

export const VIEWS = {
  traces: 'aiTraceInspector.traces',
  steps: 'aiTraceInspector.steps',
  sessions: 'aiTraceInspector.sessions',
} as const;

/** The command VS Code adds for every view: reveal and focus it. */
export const focusViewCommand = (view: (typeof VIEWS)[keyof typeof VIEWS]) => `${view}.focus` as const;

/** Context keys the extension sets for package.json's `when` clauses. */
export const CONTEXT_KEYS = {
  /** No trace in memory: the welcome view shows. */
  empty: 'aiTraceInspector.empty',
  /** A filter is on: the "no match" welcome and the Clear Filters button show. */
  filtered: 'aiTraceInspector.filtered',
  /** The receiver uses the default ports, so the welcome text can name them. */
  defaultPorts: 'aiTraceInspector.defaultPorts',
  /** A team backend has a trace link (traceUrl): traces offer Open in Team Backend. */
  backendLinks: 'aiTraceInspector.backendLinks',
} as const;
