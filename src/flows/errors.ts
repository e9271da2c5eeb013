/** Thrown by compileFlow; `problems` is what CreateContactFlow returns in InvalidContactFlowException. */
export class FlowValidationError extends Error {
  override readonly name = 'FlowValidationError';

  constructor(readonly problems: readonly { message: string }[]) {
    super(problems.map((p) => p.message).join('; ') || 'The flow is not valid.');
  }
}
