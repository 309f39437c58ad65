// JUnit XML for CI systems that show test results (GitHub Actions reporters, GitLab, Jenkins):
// one testcase per test file; a failed test is a <failure>, an invalid file an <error>.
import { failureText, problemText, type TraceTestResult } from '../../shared/traceTests/traceTestFormat';

export function junitXml(results: TraceTestResult[]): string {
  const count = (outcome: TraceTestResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  const cases = results.map((r) => {
    const open = `    <testcase name="${escape(r.name)}" classname="${escape(r.file)}" time="${seconds(r.durationMs)}"`;
    if (r.outcome === 'passed') return `${open}/>`;
    const lines = r.outcome === 'invalid' ? r.problems.map(problemText) : r.failures.map(failureText);
    const tag = r.outcome === 'invalid' ? 'error' : 'failure';
    const type = r.outcome === 'invalid' ? 'invalid test file' : r.failures[0]?.expectation ?? 'failed';
    return `${open}>\n      <${tag} message="${escape(lines[0] ?? '')}" type="${escape(type)}">${escape(lines.join('\n'))}</${tag}>\n    </testcase>`;
  });
  const counts = `tests="${results.length}" failures="${count('failed')}" errors="${count('invalid')}" time="${seconds(total)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="AI Trace Inspector" ${counts}>`,
    `  <testsuite name="trace tests" ${counts}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** XML text and attribute escaping; characters XML 1.0 cannot hold at all are dropped. */
function escape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
