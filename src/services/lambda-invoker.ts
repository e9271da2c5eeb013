/** The port through which flows call Lambda functions (InvokeLambdaFunction). */

export type LambdaOutcome =
  | { readonly ok: true; readonly values: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string };

export interface LambdaInvoker {
  /** Calls the function with Connect's ContactFlowEvent; never rejects. */
  invoke(functionArn: string, payload: unknown, timeoutMs: number): Promise<LambdaOutcome>;
}
