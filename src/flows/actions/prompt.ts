/** The prompt fields MessageParticipant and GetParticipantInput share: exactly one of four kinds. */
import { asText } from '../values.js';
import type { PromptSpec } from '../types.js';

const PROMPT_KEYS = ['Text', 'SSML', 'PromptId', 'Media'] as const;

export function checkPrompt(params: Readonly<Record<string, unknown>>): string[] {
  const present = PROMPT_KEYS.filter((key) => params[key] !== undefined);
  if (present.length !== 1) return [`set exactly one of ${PROMPT_KEYS.join(', ')} (found ${present.length > 0 ? present.join(', ') : 'none'}).`];
  const media = params.Media;
  if (media !== undefined && (typeof media !== 'object' || media === null || typeof (media as Record<string, unknown>).Uri !== 'string')) {
    return ['Media needs a Uri (with SourceType "S3" and MediaType "Audio").'];
  }
  return [];
}

/** The prompt from resolved parameters, or undefined when a reference in it named nothing. */
export function promptOf(values: Readonly<Record<string, unknown>>): PromptSpec | undefined {
  if (typeof values.Text === 'string') return { kind: 'text', text: values.Text };
  if (typeof values.SSML === 'string') return { kind: 'ssml', ssml: values.SSML };
  const promptId = asText(values.PromptId);
  if (promptId !== undefined) return { kind: 'promptId', promptId };
  const media = values.Media as Record<string, unknown> | undefined;
  const uri = asText(media?.Uri);
  if (uri === undefined) return undefined;
  return { kind: 'media', uri, sourceType: asText(media?.SourceType) ?? 'S3', mediaType: asText(media?.MediaType) ?? 'Audio' };
}
