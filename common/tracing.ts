import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** A process's tracing: the provider registered globally (W3C trace context, async context) and its span processor. */
export interface Tracing {
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
  /** Flushes and stops exporting; call on shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node tracing SDK for this process, exporting spans over OTLP/HTTP to `endpoint` (batched),
 * or to `exporter` as they end (tests). Returns undefined when neither is given: tracing is off.
 */
export function startTracing(
  serviceName: string,
  destination: { endpoint?: string; exporter?: SpanExporter },
): Tracing | undefined {
  const { endpoint, exporter } = destination;
  if (!endpoint && !exporter) return undefined;
  const resource = new Resource({ 'service.name': serviceName });
  const spanProcessor = exporter
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint?.replace(/\/$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // W3C traceparent propagation and an AsyncLocalStorage context manager
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}
