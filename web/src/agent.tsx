/**
 * The agent's page: status, the contact being offered or handled (with its screen pop), after-contact work,
 * and recent contacts. The view comes live from the server; actions answer with the view they left.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { activityLabel, phoneNumber, reasonLabel } from './format.js';
import { useLive, type LiveState } from './live.js';
import { Ringer } from './ring.js';
import { clockTime, duration, syncServerClock, useTick } from './time.js';
import type { AgentContactView, AgentView, RecentContactView } from './types.js';

type ContactAction = 'accept' | 'reject' | 'hang-up' | 'complete';

const ringer = new Ringer();

export function AgentPage({ onSignedOut }: { onSignedOut: () => void }) {
  const [view, setView] = useState<AgentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);

  // Views come from two sources (the live stream and action answers): never go back to an older one.
  const receive = useCallback((next: AgentView) => {
    syncServerClock(next.now);
    setView((current) => (current !== null && current.now > next.now ? current : next));
  }, []);
  const live = useLive<AgentView>('agent', receive, onSignedOut);

  const run = async (label: string, action: () => Promise<AgentView>) => {
    setPending(label);
    setError(null);
    try {
      receive(await action());
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) onSignedOut();
      else setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setPending(null);
    }
  };

  useEffect(() => {
    api.agent().then(receive, (failure: unknown) => {
      if (failure instanceof ApiError && failure.status === 401) onSignedOut();
    });
  }, [receive, onSignedOut]);

  const incoming = view?.contact?.state === 'incoming' ? view.contact : null;
  useEffect(() => {
    if (incoming === null) return;
    ringer.start();
    const title = document.title;
    document.title = `Incoming call · ${phoneNumber(incoming.customerNumber)}`;
    return () => {
      ringer.stop();
      document.title = title;
    };
  }, [incoming?.contactId]);

  if (view === null) {
    return (
      <div class="page">
        <LiveBadge state={live} />
        <p class="muted" aria-busy="true">
          Loading your desk…
        </p>
      </div>
    );
  }

  const contactAction = (contactId: string, action: ContactAction) => () => void run(action, () => api.contact(contactId, action));

  return (
    <div class="page agent-page">
      <div class="page-head">
        <h1>
          Hello, {view.user.firstName ?? view.user.username}
        </h1>
        <LiveBadge state={live} />
      </div>
      {error !== null && (
        <p class="error" role="alert">
          {error}
          <button type="button" class="link" onClick={() => setError(null)}>
            Dismiss
          </button>
        </p>
      )}
      {/* Always in the page, so screen readers announce what is put into it. */}
      <div aria-live="assertive" class="visually-hidden">
        {incoming !== null ? `Incoming call from ${phoneNumber(incoming.customerNumber)}${incoming.queue ? `, queue ${incoming.queue.name}` : ''}` : ''}
      </div>
      <div class="agent-grid">
        <StatusPanel view={view} busy={pending === 'status'} onChange={(id) => void run('status', () => api.setStatus(id))} />
        <ContactPanel view={view} pending={pending} act={contactAction} />
      </div>
      <RecentContacts contacts={view.recentContacts} />
    </div>
  );
}

export function LiveBadge({ state }: { state: LiveState }) {
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span class={`live-badge ${state}`} role="status">
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function StatusPanel({ view, busy, onChange }: { view: AgentView; busy: boolean; onChange: (statusId: string) => void }) {
  const now = useTick();
  const selected = view.nextStatus?.id ?? view.status.id;
  return (
    <section class="card status-card" aria-labelledby="status-title">
      <h2 id="status-title">Status</h2>
      <div class={`status-now type-${view.status.type.toLowerCase()}`}>
        <span class="status-dot" aria-hidden="true" />
        <span class="status-name" data-testid="current-status">
          {view.status.name}
        </span>
        <span class="muted">for {duration(now - view.status.since)}</span>
      </div>
      <label for="status-select">Change status</label>
      <select id="status-select" value={selected} disabled={busy} onChange={(e) => onChange(e.currentTarget.value)}>
        {view.statuses.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      {view.nextStatus !== null && (
        <p class="next-status" data-testid="next-status">
          Next: <strong>{view.nextStatus.name}</strong>, when this contact is done.
        </p>
      )}
      <dl class="facts">
        <dt>Activity</dt>
        <dd data-testid="activity">{activityLabel(view.activity)}</dd>
        <dt>Routing profile</dt>
        <dd>{view.routingProfile.name}</dd>
      </dl>
    </section>
  );
}

function ContactPanel({
  view,
  pending,
  act,
}: {
  view: AgentView;
  pending: string | null;
  act: (contactId: string, action: ContactAction) => () => void;
}) {
  const now = useTick();
  const primary = useRef<HTMLButtonElement>(null);
  const contact = view.contact;
  // Focus follows the contact: Accept when an offer arrives, then Hang up, then Done.
  useEffect(() => primary.current?.focus(), [contact?.contactId, contact?.state]);

  if (contact === null) {
    const routable = view.status.type === 'ROUTABLE';
    return (
      <section class="card contact-card empty" aria-labelledby="contact-title">
        <h2 id="contact-title">Contact</h2>
        <p class="empty-state" data-testid="no-contact">
          {routable ? 'Waiting for the next contact.' : `You are in ${view.status.name}: no contacts are offered. Choose a routable status to take contacts.`}
        </p>
      </section>
    );
  }

  const busy = pending !== null;
  return (
    <section class={`card contact-card state-${contact.state}`} aria-labelledby="contact-title" data-testid="contact">
      <h2 id="contact-title">{headline(contact)}</h2>
      <p class="customer-number" data-testid="customer-number">
        {phoneNumber(contact.customerNumber)}
      </p>
      <dl class="facts">
        <dt>Queue</dt>
        <dd data-testid="queue">{contact.queue?.name ?? '—'}</dd>
        {contact.enqueuedAt !== null && contact.state === 'incoming' && (
          <>
            <dt>Waiting</dt>
            <dd data-testid="wait-time">{duration(now - contact.enqueuedAt)}</dd>
          </>
        )}
        {contact.connectedToAgentAt !== null && (contact.state === 'connected' || contact.state === 'after-contact-work') && (
          <>
            <dt>Talking since</dt>
            <dd>{clockTime(contact.connectedToAgentAt)}</dd>
          </>
        )}
        {contact.state === 'connected' && contact.connectedToAgentAt !== null && (
          <>
            <dt>Talk time</dt>
            <dd data-testid="talk-time">{duration(now - contact.connectedToAgentAt)}</dd>
          </>
        )}
      </dl>
      {contact.state === 'incoming' && contact.offerExpiresAt !== null && <OfferCountdown now={now} contact={contact} />}
      <Attributes attributes={contact.attributes} />
      {contact.state === 'after-contact-work' && <AcwCountdown now={now} contact={contact} />}
      <div class="actions">
        {contact.state === 'incoming' && (
          <>
            <button type="button" ref={primary} class="button primary" disabled={busy} onClick={act(contact.contactId, 'accept')}>
              Accept
            </button>
            <button type="button" class="button" disabled={busy} onClick={act(contact.contactId, 'reject')}>
              Reject
            </button>
          </>
        )}
        {(contact.state === 'connecting' || contact.state === 'connected') && (
          <button type="button" ref={primary} class="button danger" disabled={busy} onClick={act(contact.contactId, 'hang-up')}>
            Hang up
          </button>
        )}
        {contact.state === 'after-contact-work' && (
          <button type="button" ref={primary} class="button primary" disabled={busy} onClick={act(contact.contactId, 'complete')}>
            Done
          </button>
        )}
      </div>
      {contact.state === 'missed' && (
        <p class="notice">You missed this contact; it went back to its queue. Choose a status to take contacts again.</p>
      )}
    </section>
  );
}

function headline(contact: AgentContactView): string {
  switch (contact.state) {
    case 'incoming':
      return 'Incoming call';
    case 'connecting':
      return 'Connecting your phone…';
    case 'connected':
      return 'On call';
    case 'after-contact-work':
      return 'After-contact work';
    case 'missed':
      return 'Missed contact';
  }
}

function OfferCountdown({ now, contact }: { now: number; contact: AgentContactView }) {
  const left = (contact.offerExpiresAt ?? now) - now;
  return (
    <p class="countdown" data-testid="offer-countdown">
      Offer ends in <strong>{duration(left)}</strong>
    </p>
  );
}

function AcwCountdown({ now, contact }: { now: number; contact: AgentContactView }) {
  if (contact.afterContactWorkEndsAt === null) {
    return <p class="countdown">Take your time; press Done when you are ready for the next contact.</p>;
  }
  return (
    <p class="countdown" data-testid="acw-countdown">
      Ready for the next contact in <strong>{duration(contact.afterContactWorkEndsAt - now)}</strong>
    </p>
  );
}

function Attributes({ attributes }: { attributes: Record<string, string> }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div class="screen-pop">
      <h3>Contact attributes</h3>
      {entries.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <dl class="attributes" data-testid="attributes">
          {entries.map(([key, value]) => (
            <div key={key} class="attribute">
              <dt>{key}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

function RecentContacts({ contacts }: { contacts: RecentContactView[] }) {
  return (
    <section class="card" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent contacts</h2>
      {contacts.length === 0 ? (
        <p class="muted">No contacts yet.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="recent-contacts">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Customer</th>
                <th scope="col">Queue</th>
                <th scope="col">Talk time</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((c) => (
                <tr key={c.contactId}>
                  <td>{c.connectedToAgentAt !== null ? clockTime(c.connectedToAgentAt) : '—'}</td>
                  <td>{phoneNumber(c.customerNumber)}</td>
                  <td>{c.queueName ?? '—'}</td>
                  <td>{c.connectedToAgentAt !== null && c.disconnectedAt !== null ? duration(c.disconnectedAt - c.connectedToAgentAt) : '—'}</td>
                  <td>{reasonLabel(c.disconnectReason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
