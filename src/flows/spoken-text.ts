import type { PromptSpec } from './types.js';

/** What the customer hears, as text: networks speak text, so prompt and media references are named. */
export function spokenText(prompt: PromptSpec): string {
  switch (prompt.kind) {
    case 'text':
      return prompt.text;
    case 'ssml':
      return prompt.ssml
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    case 'promptId':
      return `prompt ${prompt.promptId}`;
    case 'media':
      return `audio ${prompt.uri}`;
  }
}
