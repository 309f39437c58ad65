// The trace view's "Doctor" section: why this trace looks wrong, each diagnosis with its evidence
// and fix (text only: trace content is untrusted), a link to a span that shows it, and the switch
// between the repaired tree (orphans under their inferred parents) and the spans as received.
import { DIAGNOSIS_LABELS } from '../src/shared/doctor';
import type { TraceDetail } from '../src/shared/spanModel';
import { button, h } from './dom';

export interface DoctorActions {
  select(spanId: string): void;
  /** Shows the spans as received (true) or repaired (false). */
  setAsReceived(asReceived: boolean): void;
}

export function doctorSection(trace: Pick<TraceDetail, 'diagnoses' | 'inferredParents'>, asReceived: boolean, actions: DoctorActions): HTMLElement | undefined {
  const diagnoses = trace.diagnoses ?? [];
  const repairs = trace.inferredParents?.length ?? 0;
  if (!diagnoses.length && !repairs) return undefined;
  return h('section', { className: 'doctor', attrs: { 'aria-label': 'Trace Doctor' } },
    h('div', { className: 'doctor-title-line' },
      h('h2', { className: 'doctor-title' }, `Doctor: ${diagnoses.length} problem${diagnoses.length === 1 ? '' : 's'}`),
      h('span', { className: 'toolbar-spacer' }),
      repairs > 0 && h('span', { className: 'muted' }, asReceived
        ? `${repairs} span${repairs === 1 ? '' : 's'} shown as received`
        : `${repairs} span${repairs === 1 ? '' : 's'} shown under an inferred parent`),
      repairs > 0 && button(asReceived ? 'Show repaired' : 'Show as received', () => actions.setAsReceived(!asReceived), { className: 'doctor-toggle' })),
    ...diagnoses.map((d) => h('details', { className: 'diagnosis' },
      h('summary', {}, h('span', { className: 'diagnosis-kind' }, DIAGNOSIS_LABELS[d.kind] ?? d.kind), ' ', d.title,
        h('span', { className: 'muted' }, ` · ${d.service}`)),
      h('div', { className: 'diagnosis-evidence' }, 'Evidence: ', d.evidence, ' ',
        d.spanIds?.length ? h('a', { attrs: { href: '#' }, onClick: (event) => {
          event.preventDefault();
          actions.select(d.spanIds![0]);
        } }, 'Show the span') : ''),
      h('div', { className: 'diagnosis-fix' }, 'Fix: ', d.fix),
      d.source ? h('div', { className: 'muted' }, `Source: ${d.source}`) : '')));
}
