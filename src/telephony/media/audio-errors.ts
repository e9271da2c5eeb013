/** Audio bytes that are not in a format the media pipeline reads (or are damaged). */
export class AudioFormatError extends Error {
  override readonly name = 'AudioFormatError';
}
