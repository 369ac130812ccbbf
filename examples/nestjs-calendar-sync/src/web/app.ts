import { createClient, socketIoTransport } from '@syncbell/client/socketio';

const $ = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) as HTMLElement;
const user = new URLSearchParams(location.search).get('user') ?? 'alice';
// A fresh token before every (re)connect; your app's session gives you one.
const token = async () => {
  const answer = (await (await fetch(`/dev-token?user=${encodeURIComponent(user)}`)).json()) as {
    token: string;
  };
  return answer.token;
};

// The syncbell namespace of the app's own socket.io server, through the load balancer. The SDK
// keeps its position in sessionStorage (positionStorage: 'session', the browser default), so a
// user who reloads while the sync runs still gets its "sync complete", replayed.
const notifications = createClient({
  transport: socketIoTransport(),
  url: `${location.origin}/syncbell`,
  token,
});
notifications.on('state', ({ newState }) => {
  $('state').textContent = newState;
});
notifications.on('resumed', ({ servedBy }) => {
  $('served-by').textContent = servedBy ?? '?';
});
notifications.on('sync.complete', ({ notification, meta }) => {
  const { acceptedBy, finishedBy } = (notification.data ?? {}) as Record<string, string>;
  $('status').textContent = 'sync complete';
  $('detail').textContent =
    `accepted by ${acceptedBy}, finished by ${finishedBy}, ${meta.replayed ? 'replayed after a reload or reconnect' : `${meta.latencyMs} ms after publish`}`;
  $('detail').dataset.finishedBy = finishedBy ?? '';
  $('detail').dataset.acceptedBy = acceptedBy ?? '';
});

document.querySelector('#sync')?.addEventListener('click', async () => {
  $('status').textContent = 'syncing…';
  const response = await fetch('/calendar-sync', {
    method: 'POST',
    headers: { authorization: `Bearer ${await token()}` },
  });
  if (response.status !== 202) $('status').textContent = `could not start: HTTP ${response.status}`;
});
