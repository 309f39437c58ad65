// A tool execution: its name, what it was called with and what it returned.
import type { ToolInfo } from '../../src/shared/spanModel';
import { h, section } from '../dom';
import { longText, prettyValue } from './longValue';

export function toolSection(tool: ToolInfo): HTMLElement {
  return section(`Tool: ${tool.name}`,
    tool.description && h('p', { className: 'muted' }, tool.description),
    tool.server && h('p', { className: 'muted' }, `on MCP server ${tool.server}`),
    tool.callId && h('p', { className: 'muted' }, `call ${tool.callId}`),
    h('h4', {}, 'Arguments'),
    tool.arguments === undefined ? h('p', { className: 'muted' }, 'No arguments were recorded.') : longText(prettyValue(tool.arguments), 'value json'),
    h('h4', {}, 'Result'),
    tool.result === undefined ? h('p', { className: 'muted' }, 'No result was recorded.') : longText(prettyValue(tool.result), 'value json'));
}
