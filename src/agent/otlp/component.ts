// The agent's `otlp` component: nothing is loaded while no OTLP endpoint is set; with one, start()
// loads lib/otlp.js (src/agent/otlp/ingest.ts: receivers, decoders, translators, gRPC) and runs it.
import type { Component } from '../component.js';
import type { OtlpIngestOptions } from './ingest.js';
import type { OtlpReceiver } from './index.js';

/**
 * At a dyno restart every process gets SIGTERM at once, and an OpenTelemetry SDK exports what it
 * holds when it shuts down: the receivers keep serving until no request came for QUIET_MS, at most
 * LINGER_MAX_MS (and never past the stop deadline), so that last export is not refused.
 */
export const SHUTDOWN_QUIET_MS = 1_000;
export const SHUTDOWN_LINGER_MAX_MS = 5_000;

async function quietPeriod(receiver: OtlpReceiver, until: number): Promise<void> {
  let seen = receiver.requestsReceived;
  let quietSince = Date.now();
  while (Date.now() < until && Date.now() - quietSince < SHUTDOWN_QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (receiver.requestsReceived !== seen) {
      seen = receiver.requestsReceived;
      quietSince = Date.now();
    }
  }
}

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
      if (ingest === undefined) return;
      await quietPeriod(ingest, Math.min(deadline - 1_000, Date.now() + SHUTDOWN_LINGER_MAX_MS));
      await ingest.stop(deadline);
    },
    status() {
      if (ingest !== undefined) return ingest.status();
      return loadError !== undefined ? { enabled: true, error: loadError } : { enabled: false };
    },
  };
}
