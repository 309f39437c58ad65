// LangChain's own shapes where an exporter passes a run's outputs on as they are (LangSmith's
// OTel export): a retriever's `{documents: [{page_content, metadata, id}]}`.
import type { RetrievalDocument } from '../../../shared/spanModel';
import { isRecord, parseJson } from '../attributeReader';

export function documents(value: unknown): RetrievalDocument[] | undefined {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  const list = isRecord(parsed) ? parsed.documents : parsed;
  if (!Array.isArray(list)) return undefined;
  const docs: RetrievalDocument[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.page_content !== 'string') continue;
    const doc: RetrievalDocument = { content: item.page_content };
    if (typeof item.id === 'string') doc.id = item.id;
    if (isRecord(item.metadata) && Object.keys(item.metadata).length) doc.metadata = item.metadata;
    docs.push(doc);
  }
  return docs.length ? docs : undefined;
}
