/**
 * The supervisor's page: each queue with its waiting contacts and how long they have waited (ticking), and
 * every agent with their status and what they are doing, updated live.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { LiveBadge } from './agent.js';
import { activityLabel, phoneNumber } from './format.js';
import { useLive } from './live.js';
import { duration, syncServerClock, useTick } from './time.js';
import type { SupervisorAgentView, SupervisorQueueView, SupervisorView } from './types.js';

export function SupervisorPage({ onSignedOut }: { onSignedOut: () => void }) {
  const [view, setView] = useState<SupervisorView | null>(null);
  const receive = useCallback((next: SupervisorView) => {
    syncServerClock(next.now);
    setView((current) => (current !== null && current.now > next.now ? current : next));
  }, []);
  const live = useLive<SupervisorView>('supervisor', receive, onSignedOut);
  useEffect(() => {
    api.supervisor().then(receive, (failure: unknown) => {
      if (failure instanceof ApiError && failure.status === 401) onSignedOut();
    });
  }, [receive, onSignedOut]);
  const now = useTick();

  const waiting = view?.queues.reduce((n, q) => n + q.waiting.length, 0) ?? 0;
  const available = view?.agents.filter((a) => a.status.type === 'ROUTABLE' && a.activity === 'idle').length ?? 0;
  const onContact = view?.agents.filter((a) => a.activity === 'on-contact' || a.activity === 'connecting').length ?? 0;

  return (
    <div class="page supervisor-page">
      <div class="page-head">
        <h1>Supervisor</h1>
        <LiveBadge state={live} />
      </div>
      {view === null ? (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      ) : (
        <>
          <div class="tiles" role="group" aria-label="Summary">
            <Tile label="Waiting contacts" value={waiting} testId="total-waiting" />
            <Tile label="Agents available" value={available} />
            <Tile label="Agents on contact" value={onContact} />
            <Tile label="Agents signed in" value={view.agents.filter((a) => a.status.type !== 'OFFLINE').length} />
          </div>
          <section class="card" aria-labelledby="queues-title">
            <h2 id="queues-title">Queues</h2>
            {view.queues.length === 0 ? <p class="muted">No queues.</p> : view.queues.map((q) => <Queue key={q.id} queue={q} now={now} />)}
          </section>
          <section class="card" aria-labelledby="agents-title">
            <h2 id="agents-title">Agents</h2>
            <Agents agents={view.agents} now={now} />
          </section>
        </>
      )}
    </div>
  );
}

function Tile({ label, value, testId }: { label: string; value: number; testId?: string }) {
  return (
    <div class="tile">
      <span class="tile-value" data-testid={testId}>
        {value}
      </span>
      <span class="tile-label">{label}</span>
    </div>
  );
}

function Queue({ queue, now }: { queue: SupervisorQueueView; now: number }) {
  const oldest = queue.waiting.reduce<number | null>((min, c) => (min === null || c.enqueuedAt < min ? c.enqueuedAt : min), null);
  return (
    <article class="queue" aria-labelledby={`queue-${queue.id}`} data-testid="queue">
      <header class="queue-head">
        <h3 id={`queue-${queue.id}`}>{queue.name}</h3>
        <span class={`pill ${queue.waiting.length > 0 ? 'warn' : ''}`}>{queue.waiting.length} waiting</span>
        {oldest !== null && <span class="muted">longest {duration(now - oldest)}</span>}
        <span class="queue-agents muted">
          {queue.agents.available} available · {queue.agents.onContact} on contact · {queue.agents.afterContactWork} in ACW ·{' '}
          {queue.agents.online} online
        </span>
      </header>
      {queue.waiting.length > 0 && (
        <ol class="waiting">
          {[...queue.waiting]
            .sort((a, b) => a.enqueuedAt - b.enqueuedAt)
            .map((c) => (
              <li key={c.contactId}>
                <span>{phoneNumber(c.customerNumber)}</span>
                <span class="age" data-testid="waiting-age">
                  {duration(now - c.enqueuedAt)}
                </span>
              </li>
            ))}
        </ol>
      )}
    </article>
  );
}

function Agents({ agents, now }: { agents: SupervisorAgentView[]; now: number }) {
  if (agents.length === 0) return <p class="muted">No agents.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Activity</th>
            <th scope="col">Routing profile</th>
            <th scope="col">Contact</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.userId}>
              <td>
                <strong>{a.name || a.username}</strong>
                <span class="muted block">{a.username}</span>
              </td>
              <td>
                <span class={`status-chip type-${a.status.type.toLowerCase()}`}>{a.status.name}</span>{' '}
                <span class="muted">{duration(now - a.status.since)}</span>
              </td>
              <td>
                {activityLabel(a.activity)} <span class="muted">{duration(now - a.activitySince)}</span>
              </td>
              <td>{a.routingProfileName}</td>
              <td class="mono">{a.contactId === null ? '—' : a.contactId.slice(0, 8)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
