// Retrieved documents in rank order with score, id and content, and a warning that cannot be
// missed when even the best document scores low (the retrieval failed and the model had to
// guess). A few weak documents under a strong one are normal and get only their own tag.
import type { RetrievalDocument } from '../../src/shared/spanModel';
import { h, section } from '../dom';
import { longText, prettyValue } from './longValue';

export function lowScoreWarning(documents: RetrievalDocument[], threshold: number): string | undefined {
  const scores = documents.map((d) => d.score).filter((s): s is number => typeof s === 'number');
  if (!scores.length) return undefined;
  const best = Math.max(...scores);
  if (best >= threshold) return undefined;
  return `Every document scored below ${threshold} (best ${formatScore(best)}): the retrieval likely failed and the model had to guess.`;
}

const formatScore = (score: number) => (Number.isInteger(score) ? String(score) : score.toFixed(3).replace(/0+$/, ''));

export function documentsSection(documents: RetrievalDocument[], threshold: number): HTMLElement {
  const warning = lowScoreWarning(documents, threshold);
  return section(`Documents (${documents.length})`,
    warning && h('div', { className: 'warning-banner', attrs: { role: 'alert' } }, '⚠ ', warning),
    documents.length === 0 && h('p', { className: 'muted' }, 'The retriever returned no documents.'),
    h('ol', { className: 'documents' }, ...documents.map((doc, rank) => {
      const low = typeof doc.score === 'number' && doc.score < threshold;
      return h('li', { className: 'document' + (low ? ' low-score' : '') },
        h('div', { className: 'document-head' },
          h('span', { className: 'rank' }, `#${rank + 1}`),
          typeof doc.score === 'number' && h('span', { className: 'score' }, `score ${formatScore(doc.score)}`),
          low && h('span', { className: 'low-score-tag' }, 'low score'),
          doc.id !== undefined && h('span', { className: 'muted' }, `id ${doc.id}`)),
        doc.content !== undefined && longText(doc.content, 'document-content'),
        doc.metadata !== undefined && h('details', {}, h('summary', {}, 'Metadata'), longText(prettyValue(doc.metadata), 'value json')));
    })));
}
