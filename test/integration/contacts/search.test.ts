/**
 * SearchContacts over contacts placed through the API and run by the virtual clock: the time range on each
 * timestamp type, the criteria, the order, pages and their NextToken, and the errors.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertError, CALLEE, instanceArn, ok, ops, startCall } from '../../helpers/connect.js';
import { DEMO, startTestApp, type ApiRequest, type TestApp } from '../../helpers/test-app.js';
import type { FlowRunner } from '../../../src/services/flow-runner.js';

const MINUTE = 60_000;

const searchContacts = (body: Record<string, unknown>): ApiRequest => ({ method: 'POST', path: '/search-contacts', body });

interface SearchBody {
  Contacts: { Id: string }[];
  TotalCount: number;
  NextToken?: string;
}

/** The contact ids of a SearchContacts answer, in order. */
const idsOf = (body: SearchBody): string[] => body.Contacts.map((c) => c.Id);

/** Keeps every answered call open; a contact started with the attribute `enqueue` = `yes` goes to the demo queue. */
const queueWhenAsked: FlowRunner = {
  start(contact, controls) {
    if (contact.attributes.enqueue === 'yes') void controls.queue(DEMO.queueId, {});
    return { digits: () => {}, promptFinished: () => {}, attributesChanged: () => {}, ended: () => {} };
  },
};

describe('SearchContacts', () => {
  let app: TestApp;
  /** When the first contact was placed (epoch ms on the engine clock). */
  let t0: number;
  /** Contacts placed a minute apart: spring (ended at +3 min), autumn (queued, still live), sure (ended at +4 min). */
  let spring: string;
  let autumn: string;
  let sure: string;

  /** Epoch seconds `ms` after t0. */
  const at = (ms: number) => (t0 + ms) / 1000;

  /** A search of the demo instance over contacts initiated from t0 - 1 min to t0 + 10 min, with `extra` members. */
  const search = (extra: Record<string, unknown> = {}) =>
    app.request(
      searchContacts({
        InstanceId: DEMO.instanceId,
        TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: at(-MINUTE), EndTime: at(10 * MINUTE) },
        ...extra,
      }),
    );

  /** The ids a successful search returns, in order. */
  const ids = async (extra: Record<string, unknown> = {}): Promise<string[]> =>
    idsOf(ok(await search(extra)));

  beforeEach(async () => {
    app = await startTestApp({}, { flows: queueWhenAsked });
    t0 = app.clock.now();
    spring = await startCall(app, CALLEE.answers, { Name: 'Spring reminder', Attributes: { segment: 'gold', region: 'north' } });
    await app.advance(MINUTE);
    autumn = await startCall(app, CALLEE.answers, {
      SourcePhoneNumber: undefined,
      QueueId: DEMO.queueId,
      Name: 'Autumn survey',
      Attributes: { segment: 'silver', region: 'north', enqueue: 'yes' },
    });
    await app.advance(MINUTE);
    sure = await startCall(app, CALLEE.answers, { Name: '100% sure_thing', Attributes: { segment: 'gold', region: 'south' } });
    await app.advance(MINUTE);
    ok(await app.request(ops.stopContact(spring)));
    await app.advance(MINUTE);
    ok(await app.request(ops.stopContact(sure)));
  });
  afterEach(() => app.close());

  describe('the time range', () => {
    it('finds contacts initiated within it, bounds included, newest first, as ContactSearchSummary', async () => {
      const body = ok(
        await app.request(
          searchContacts({
            InstanceId: DEMO.instanceId,
            TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: at(MINUTE), EndTime: at(2 * MINUTE) },
          }),
        ),
      );
      assert.equal(body.TotalCount, 2);
      assert.equal(body.NextToken, undefined);
      assert.deepEqual(body.Contacts, [
        {
          Arn: `${instanceArn(DEMO.instanceId)}/contact/${sure}`,
          Id: sure,
          InitialContactId: sure,
          InitiationMethod: 'API',
          Channel: 'VOICE',
          InitiationTimestamp: at(2 * MINUTE),
          DisconnectTimestamp: at(4 * MINUTE),
          Name: '100% sure_thing',
        },
        {
          Arn: `${instanceArn(DEMO.instanceId)}/contact/${autumn}`,
          Id: autumn,
          InitialContactId: autumn,
          InitiationMethod: 'API',
          Channel: 'VOICE',
          // The callee answers after 2 s and the flow queues the contact at once.
          QueueInfo: { Id: DEMO.queueId, EnqueueTimestamp: at(MINUTE + 2_000) },
          InitiationTimestamp: at(MINUTE),
          Name: 'Autumn survey',
        },
      ]);
    });

    it('finds contacts by DisconnectTimestamp, never a live one', async () => {
      const byDisconnect = (from: number, to: number) =>
        app.request(
          searchContacts({ InstanceId: DEMO.instanceId, TimeRange: { Type: 'DISCONNECT_TIMESTAMP', StartTime: at(from), EndTime: at(to) } }),
        );
      assert.deepEqual(idsOf(ok(await byDisconnect(0, 3 * MINUTE))), [spring]);
      const both = ok(await byDisconnect(0, 10 * MINUTE));
      assert.deepEqual(idsOf(both), [sure, spring]);
      assert.equal(both.TotalCount, 2);
    });

    it('finds contacts by EnqueueTimestamp; agent and scheduled timestamps match no contact yet', async () => {
      const byType = async (Type: string): Promise<SearchBody> => {
        const body: SearchBody = ok(
          await app.request(searchContacts({ InstanceId: DEMO.instanceId, TimeRange: { Type, StartTime: at(0), EndTime: at(10 * MINUTE) } })),
        );
        return body;
      };
      assert.deepEqual(idsOf(await byType('ENQUEUE_TIMESTAMP')), [autumn]);
      for (const type of ['CONNECTED_TO_AGENT_TIMESTAMP', 'SCHEDULED_TIMESTAMP']) {
        const body = await byType(type);
        assert.deepEqual(body.Contacts, [], type);
        assert.equal(body.TotalCount, 0, type);
      }
    });

    it('accepts the instance ARN, and finds nothing in another instance', async () => {
      const byArn = searchContacts({
        InstanceId: instanceArn(DEMO.instanceId),
        TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: at(0), EndTime: at(10 * MINUTE) },
      });
      assert.deepEqual(idsOf(ok(await app.request(byArn))), [sure, autumn, spring]);
      const other = ok(await app.request(ops.createInstance({ InstanceAlias: 'other' }))).Id as string;
      const body = ok(
        await app.request(
          searchContacts({ InstanceId: other, TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: at(0), EndTime: at(10 * MINUTE) } }),
        ),
      );
      assert.deepEqual(body, { Contacts: [], TotalCount: 0 });
    });
  });

  describe('the criteria', () => {
    it('QueueIds keeps contacts of those queues (ids or ARNs)', async () => {
      assert.deepEqual(await ids({ SearchCriteria: { QueueIds: [DEMO.queueId] } }), [autumn]);
      assert.deepEqual(await ids({ SearchCriteria: { QueueIds: [`${instanceArn(DEMO.instanceId)}/queue/${DEMO.queueId}`] } }), [autumn]);
      assert.deepEqual(await ids({ SearchCriteria: { QueueIds: ['00000000-0000-4000-a000-0000000000ff'] } }), []);
      assert.deepEqual(await ids({ SearchCriteria: { QueueIds: [] } }), [sure, autumn, spring], 'an empty list filters nothing');
    });

    it('SearchableContactAttributes with MATCH_ALL needs every criterion, MATCH_ANY one of them', async () => {
      const criteria = [
        { Key: 'segment', Values: ['gold'] },
        { Key: 'region', Values: ['north'] },
      ];
      assert.deepEqual(await ids({ SearchCriteria: { SearchableContactAttributes: { Criteria: criteria, MatchType: 'MATCH_ALL' } } }), [spring]);
      assert.deepEqual(
        await ids({ SearchCriteria: { SearchableContactAttributes: { Criteria: criteria, MatchType: 'MATCH_ANY' } } }),
        [sure, autumn, spring],
      );
      assert.deepEqual(await ids({ SearchCriteria: { SearchableContactAttributes: { Criteria: criteria } } }), [spring], 'MATCH_ALL by default');
      assert.deepEqual(
        await ids({ SearchCriteria: { SearchableContactAttributes: { Criteria: [{ Key: 'segment', Values: ['silver', 'bronze'] }] } } }),
        [autumn],
        'a criterion matches any of its values',
      );
    });

    it('an attribute key no contact has matches nothing, whatever characters it holds', async () => {
      for (const Key of ['missing', 'seg"ment', "a'b", '$.x', 'segment ']) {
        const criteria = { SearchableContactAttributes: { Criteria: [{ Key, Values: ['gold'] }] } };
        assert.deepEqual(await ids({ SearchCriteria: criteria }), [], Key);
      }
    });

    it('Name matches contacts whose name contains the text, ignoring case; % and _ match themselves', async () => {
      const byName = (SearchText: string[], MatchType = 'MATCH_ANY') => ids({ SearchCriteria: { Name: { SearchText, MatchType } } });
      assert.deepEqual(await byName(['REMINDER']), [spring]);
      assert.deepEqual(await byName(['spring', 'autumn']), [autumn, spring]);
      assert.deepEqual(await byName(['spring', 'survey'], 'MATCH_ALL'), []);
      assert.deepEqual(await byName(['spring', 'reminder'], 'MATCH_ALL'), [spring]);
      assert.deepEqual(await byName(['%']), [sure]);
      assert.deepEqual(await byName(['_']), [sure]);
      assert.deepEqual(await byName(['0% s']), [sure]);
    });

    it('Channels and InitiationMethods match VOICE and API; AgentIds and agent hierarchy groups match nothing yet', async () => {
      assert.deepEqual(await ids({ SearchCriteria: { Channels: ['VOICE', 'CHAT'] } }), [sure, autumn, spring]);
      assert.deepEqual(await ids({ SearchCriteria: { Channels: ['CHAT'] } }), []);
      assert.deepEqual(await ids({ SearchCriteria: { InitiationMethods: ['API'] } }), [sure, autumn, spring]);
      assert.deepEqual(await ids({ SearchCriteria: { InitiationMethods: ['OUTBOUND', 'CALLBACK'] } }), []);
      assert.deepEqual(await ids({ SearchCriteria: { AgentIds: ['agent-1'] } }), []);
      assert.deepEqual(await ids({ SearchCriteria: { AgentHierarchyGroups: { L1Ids: ['group-1'] } } }), []);
    });

    it('combines criteria: all of them must match', async () => {
      assert.deepEqual(
        await ids({
          SearchCriteria: {
            Channels: ['VOICE'],
            Name: { SearchText: ['survey', 'reminder'], MatchType: 'MATCH_ANY' },
            SearchableContactAttributes: { Criteria: [{ Key: 'region', Values: ['north'] }] },
            QueueIds: [DEMO.queueId],
          },
        }),
        [autumn],
      );
    });

    it('refuses match types and criteria outdial does not support with InvalidParameterException', async () => {
      assertError(
        await search({ SearchCriteria: { Name: { SearchText: ['x'], MatchType: 'MATCH_EXACT' } } }),
        400,
        'InvalidParameterException',
        /MATCH_EXACT is not supported/,
      );
      assertError(
        await search({ SearchCriteria: { AdditionalTimeRange: { Criteria: [], MatchType: 'MATCH_ALL' } } }),
        400,
        'InvalidParameterException',
        /AdditionalTimeRange is not supported/,
      );
    });
  });

  describe('the order', () => {
    it('sorts by initiation time, descending by default', async () => {
      assert.deepEqual(await ids(), [sure, autumn, spring]);
      assert.deepEqual(await ids({ Sort: { FieldName: 'INITIATION_TIMESTAMP', Order: 'DESCENDING' } }), [sure, autumn, spring]);
      assert.deepEqual(await ids({ Sort: { FieldName: 'INITIATION_TIMESTAMP', Order: 'ASCENDING' } }), [spring, autumn, sure]);
    });

    it('sorts by disconnect time with live contacts last, either way', async () => {
      assert.deepEqual(await ids({ Sort: { FieldName: 'DISCONNECT_TIMESTAMP', Order: 'ASCENDING' } }), [spring, sure, autumn]);
      assert.deepEqual(await ids({ Sort: { FieldName: 'DISCONNECT_TIMESTAMP', Order: 'DESCENDING' } }), [sure, spring, autumn]);
    });

    it('breaks ties on fields every contact shares by initiation time', async () => {
      assert.deepEqual(await ids({ Sort: { FieldName: 'CHANNEL', Order: 'ASCENDING' } }), [spring, autumn, sure]);
      assert.deepEqual(await ids({ Sort: { FieldName: 'CONNECTED_TO_AGENT_TIMESTAMP', Order: 'DESCENDING' } }), [sure, autumn, spring]);
    });
  });

  describe('pages', () => {
    it('returns MaxResults contacts a page, the TotalCount on each, and a NextToken until the last page', async () => {
      const first = ok(await search({ MaxResults: 2, Sort: { FieldName: 'INITIATION_TIMESTAMP', Order: 'ASCENDING' } }));
      assert.deepEqual(idsOf(first), [spring, autumn]);
      assert.equal(first.TotalCount, 3);
      assert.equal(typeof first.NextToken, 'string');

      const second = ok(
        await search({ MaxResults: 2, Sort: { FieldName: 'INITIATION_TIMESTAMP', Order: 'ASCENDING' }, NextToken: first.NextToken }),
      );
      assert.deepEqual(idsOf(second), [sure]);
      assert.equal(second.TotalCount, 3);
      assert.equal(second.NextToken, undefined);
    });

    it('walks one contact a page to the end', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const body = ok(await search({ MaxResults: 1, ...(token !== undefined && { NextToken: token }) }));
        assert.equal(body.TotalCount, 3);
        seen.push(...idsOf(body));
        token = body.NextToken;
      } while (token !== undefined);
      assert.deepEqual(seen, [sure, autumn, spring]);
    });

    it('refuses a NextToken it did not issue, or one issued for another search, with InvalidParameterException', async () => {
      for (const NextToken of ['garbage', Buffer.from('{"offset":-1,"search":"x"}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
        assertError(await search({ NextToken }), 400, 'InvalidParameterException', /NextToken is not valid/);
      }
      const { NextToken } = ok(await search({ MaxResults: 1 }));
      assertError(
        await search({ NextToken, SearchCriteria: { Channels: ['VOICE'] } }),
        400,
        'InvalidParameterException',
        /NextToken is not valid for this search/,
      );
      // A different page size is the same search.
      assert.equal(ok(await search({ NextToken, MaxResults: 5 })).Contacts.length, 2);
    });

    it('holds MaxResults to the model range 1 to 100', async () => {
      assertError(await search({ MaxResults: 101 }), 400, 'InvalidParameterException');
      assertError(await search({ MaxResults: 0 }), 400, 'InvalidParameterException');
    });
  });

  describe('errors', () => {
    it('refuses a time range that ends before (or when) it starts with InvalidParameterException', async () => {
      for (const EndTime of [at(-MINUTE), at(0)]) {
        assertError(
          await app.request(
            searchContacts({ InstanceId: DEMO.instanceId, TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: at(0), EndTime } }),
          ),
          400,
          'InvalidParameterException',
          /EndTime must be after/,
        );
      }
    });

    it('requires the time range and timestamps as epoch seconds', async () => {
      assertError(await app.request(searchContacts({ InstanceId: DEMO.instanceId })), 400, 'InvalidParameterException', /'timeRange' failed to satisfy constraint: Member must not be null/);
      assertError(
        await app.request(
          searchContacts({
            InstanceId: DEMO.instanceId,
            TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: '2024-01-01T00:00:00Z', EndTime: at(0) },
          }),
        ),
        400,
        'InvalidParameterException',
      );
    });

    it('answers an unknown instance with ResourceNotFoundException', async () => {
      assertError(
        await app.request(
          searchContacts({
            InstanceId: '00000000-0000-4000-a000-0000000000ff',
            TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: at(0), EndTime: at(MINUTE) },
          }),
        ),
        404,
        'ResourceNotFoundException',
      );
    });
  });
});
