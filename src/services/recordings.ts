/** Where outdial's HTTP API serves a contact's recording (docs/api.md): one path for the API and the contact record. */
export function recordingPath(contactId: string, recordingId: string): string {
  return `/outdial/recordings/${encodeURIComponent(contactId)}/${encodeURIComponent(recordingId)}.wav`;
}
