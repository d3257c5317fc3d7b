// The OTLP traces translator: decoded ExportTraceServiceRequest → TracesConsumer (the trace agent).
export { TracesTranslator, type TracesTranslatorOptions, type TranslateContext, type TranslateResult } from './translator.js';
export { TracesCounters, type SpanDropReason } from './counters.js';
