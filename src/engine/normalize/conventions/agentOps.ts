// AgentOps' decorators (`@session`, `@agent`, `@operation`, `@tool`, ...): the kind in
// `agentops.span.kind`, the call's `{args, kwargs}` and its result as JSON in
// `agentops.entity.input`/`output` (newer SDKs: `agentops.<kind>.input`/`output`).
import type { AttributeValue, Attributes } from '../../../shared/spanModel';

export function value(attrs: Attributes, which: 'input' | 'output'): AttributeValue | undefined {
  const kind = attrs['agentops.span.kind'];
  return attrs[`agentops.entity.${which}`] ?? (typeof kind === 'string' ? attrs[`agentops.${kind}.${which}`] : undefined);
}
