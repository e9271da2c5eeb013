/**
 * outdial's download of a contact's recordings: `GET /outdial/recordings/{ContactId}/{RecordingId}.wav`,
 * the `Location` DescribeContact gives. Signed with SigV4 like every other request (the Authorization
 * header; the verifier takes no presigned query strings), errors in Connect's shape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { open } from 'node:fs/promises';
import type { ContactService } from '../services/contact-service.js';
import type { Logger } from '../shared/logger.js';
import { ResourceNotFoundException } from './errors.js';

export interface RecordingRouteDeps {
  readonly contacts: ContactService;
  /** Rejects unless the request carries a valid signature. */
  readonly verify: (request: FastifyRequest) => Promise<unknown>;
  readonly logger: Logger;
}

export function registerRecordingRoutes(app: FastifyInstance, deps: RecordingRouteDeps): void {
  const { contacts, verify, logger } = deps;

  app.get('/outdial/recordings/:ContactId/:File', { config: { operation: 'GetContactRecording' } }, async (request, reply) => {
    await verify(request);
    const { ContactId, File } = request.params as { ContactId: string; File: string };
    const recordingId = File.endsWith('.wav') ? File.slice(0, -'.wav'.length) : '';
    if (recordingId === '') throw new ResourceNotFoundException(`Recording not found: ${ContactId}/${File}`);
    const recording = await contacts.recording(ContactId, recordingId);
    // Opened before anything is sent, so a file removed from disk is a 404, not a response cut short.
    let file;
    try {
      file = await open(recording.location, 'r');
    } catch (error) {
      logger.warn('recording file missing', { contactId: ContactId, recordingId, location: recording.location, error: String(error) });
      throw new ResourceNotFoundException(`Recording ${ContactId}/${recordingId} is no longer stored on this server.`);
    }
    let size: number;
    try {
      ({ size } = await file.stat());
    } catch (error) {
      await file.close();
      throw error;
    }
    // The stream closes the file once sent, or when the client goes away.
    return reply.header('content-type', 'audio/wav').header('content-length', size).send(file.createReadStream());
  });
}
