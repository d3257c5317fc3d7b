// The agent's `otlp` component: nothing is loaded while no OTLP endpoint is set; with one, start()
// loads lib/otlp.js (src/agent/otlp/ingest.ts: receivers, decoders, translators, gRPC) and runs it.
import type { Component } from '../component.js';
import type { OtlpIngestOptions } from './ingest.js';
import type { OtlpReceiver } from './index.js';

export function otlpComponent(options: OtlpIngestOptions): Component & { readonly ingest: () => OtlpReceiver | undefined } {
  const { settings, logger } = options;
  const enabled = settings.httpEndpoint !== undefined || settings.grpcEndpoint !== undefined;
  let ingest: OtlpReceiver | undefined;
  let loadError: string | undefined;
  return {
    name: 'otlp',
    ingest: () => ingest,
    async start() {
      if (!enabled) return;
      try {
        // The build makes this import a require of lib/otlp.js (scripts/build.mjs).
        const { createOtlpIngest } = await import('./ingest.js');
        ingest = createOtlpIngest(options);
      } catch (error) {
        loadError = `cannot load the OTLP receivers: ${(error as Error).message}`;
        logger.error(loadError);
        return;
      }
      await ingest.start();
    },
    async stop(deadline) {
      await ingest?.stop(deadline);
    },
    status() {
      if (ingest !== undefined) return ingest.status();
      return loadError !== undefined ? { enabled: true, error: loadError } : { enabled: false };
    },
  };
}
