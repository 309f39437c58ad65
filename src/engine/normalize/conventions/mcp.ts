// Model Context Protocol spans (OTel GenAI MCP conventions): `mcp.method.name`, the tool in
// `gen_ai.tool.name`, `mcp.session.id`. The client's span names the server by its address;
// the server's own span runs in the server's service.
import type { Attributes, Span } from '../../../shared/spanModel';
import { firstString, isRecord } from '../attributeReader';

export function serverName(attrs: Attributes, span: Pick<Span, 'otelKind' | 'service'>): string | undefined {
  // Mastra marks its MCP tool calls by its span type and names the server in server.address.
  const overMcp = attrs['mcp.method.name'] !== undefined || attrs['mastra.span.type'] === 'mcp_tool_call' || attrs['gen_ai.tool.type'] === 'mcp';
  if (!overMcp) return undefined;
  if (span.otelKind === 'SERVER') return span.service;
  const address = firstString(attrs, 'mcp.server.name', 'server.address');
  const port = firstString(attrs, 'server.port');
  return address && port ? `${address}:${port}` : address;
}

/**
 * OpenLLMetry's MCP instrumentation wraps a call's input as `{tool_name, arguments}` and its
 * output as `{result}`; the tool's own arguments and result are inside.
 */
export function unwrapOpenLlmetry(attrs: Attributes, args: unknown, result: unknown): { args: unknown; result: unknown } {
  const name = attrs['traceloop.entity.name'];
  if (!isRecord(args) || args.tool_name !== name || typeof name !== 'string') return { args, result };
  return { args: args.arguments, result: isRecord(result) && 'result' in result ? result.result : result };
}
