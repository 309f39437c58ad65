// Redaction: secrets and personal data masked in spans and log records as they arrive, before
// they are indexed or stored, so nothing shown, exported or written to disk holds the raw value.
// The patterns and the text masking are shared (shared/redaction.ts).
import { TextRedactor } from '../../shared/redaction';
import type { RawEvent, RawLog, RawSpan, ResourceInfo } from '../model/rawSpan';

export class Redactor extends TextRedactor {
  spans(spans: RawSpan[]): void {
    let resource: ResourceInfo | undefined;
    for (const span of spans) {
      span.name = this.text(span.name);
      if (span.statusMessage) span.statusMessage = this.text(span.statusMessage);
      this.attributes(span.attributes);
      // The decoders give a request's spans one resource object: it is masked once, not per span.
      if (span.resource !== resource) {
        resource = span.resource;
        this.attributes(resource.attributes);
        resource.service = this.text(resource.service);
      }
      span.scope.name = this.text(span.scope.name);
      if (span.scope.version) span.scope.version = this.text(span.scope.version);
      for (const event of span.events) this.event(event);
      for (const link of span.links ?? []) this.attributes(link.attributes);
    }
  }

  logs(logs: RawLog[]): void {
    for (const log of logs) this.event(log.event);
  }

  private event(event: RawEvent): void {
    event.name = this.text(event.name);
    this.attributes(event.attributes);
    if (event.body !== undefined) event.body = this.value(event.body);
  }
}
