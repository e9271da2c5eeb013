/**
 * Lambda functions as HTTP endpoints: each function ARN (or bare function name) configured maps to a URL
 * that receives Connect's ContactFlowEvent as a JSON POST and answers with the JSON object the flow sees as
 * `$.External`. A team points the ARNs its flows name at its own handler running locally.
 */
import type { Clock } from '../shared/clock.js';
import type { LambdaInvoker, LambdaOutcome } from '../services/lambda-invoker.js';

/** The function name in `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
function functionName(arn: string): string {
  const match = /:function:([^:]+)/.exec(arn);
  return match?.[1] ?? arn;
}

export class HttpLambdaInvoker implements LambdaInvoker {
  constructor(
    private readonly endpoints: Readonly<Record<string, string>>,
    private readonly clock: Clock,
  ) {}

  async invoke(functionArn: string, payload: unknown, timeoutMs: number): Promise<LambdaOutcome> {
    const url = this.endpoints[functionArn] ?? this.endpoints[functionName(functionArn)];
    if (url === undefined) return { ok: false, reason: `no endpoint is configured for ${functionArn} (lambdaFunctions)` };
    const abort = new AbortController();
    const timer = this.clock.setTimer(timeoutMs, () => abort.abort());
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: abort.signal,
      });
      if (!response.ok) return { ok: false, reason: `${url} answered ${response.status}` };
      const body: unknown = await response.json();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: `${url} did not answer a JSON object` };
      return { ok: true, values: body as Record<string, unknown> };
    } catch (error) {
      return { ok: false, reason: `${url}: ${(error as Error).message}` };
    } finally {
      this.clock.clearTimer(timer);
    }
  }
}
