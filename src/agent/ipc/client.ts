// `agent status` / `agent health`: asks the running agent over IPC.
import { request } from 'node:http';

export interface IpcResponse {
  readonly status: number;
  readonly body: string;
}

export function ipcGet(port: number, token: string, path: string, timeoutMs = 5_000): Promise<IpcResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the agent on 127.0.0.1:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
