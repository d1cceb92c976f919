// The demo page on the client library (packages/client, served as an esbuild bundle at /client.js):
// a chat on channels between tabs, and a panel showing the session, each channel's last seq and every frame.
import { SessionClient, anonymousId } from './client.js';

const $ = (id) => document.getElementById(id);
const ID_KEY = 'websocket-sessions.id'; // one anonymous id per tab (sessionStorage), so two tabs are two users
const MAX_ITEMS = 300;
const joined = new Set();
let client;
let id;
let config;

const time = () => new Date().toISOString().slice(11, 23);
const short = (text) => String(text).slice(0, 8);

function append(list, className, build) {
  const item = document.createElement('li');
  item.className = className;
  build(item);
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.appendChild(item);
  while (list.children.length > MAX_ITEMS) list.firstChild.remove();
  if (stick) list.scrollTop = list.scrollHeight;
}
const note = (kind, text) => append($('events'), kind, (item) => (item.textContent = `${time()} ${kind}${text ? ` ${text}` : ''}`));
const frame = (direction, data) => append($('frames'), direction, (item) => (item.textContent = `${time()} ${direction === 'in' ? '◀' : '▶'} ${data}`));

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function showMessage(message) {
  const data = message.data;
  const chat = data && typeof data === 'object' && typeof data.text === 'string';
  append($('chat'), chat && data.from === id ? 'mine' : '', (item) => {
    if (message.channel !== undefined) {
      item.dataset.channel = message.channel;
      item.dataset.seq = String(message.seq);
      item.append(span('seq', `#${message.seq} `), span('channel', message.channel), ' ');
    }
    if (chat) item.append(span('from', short(data.from)), `: ${data.text}`);
    else item.append(JSON.stringify(data));
  });
  showSeqs();
}

function showSeqs() {
  const rows = [...new Set([...joined, ...[...$('chat').querySelectorAll('[data-channel]')].map((item) => item.dataset.channel)])].map((channel) => {
    const row = document.createElement('tr');
    row.dataset.channel = channel;
    const cells = [channel, String(client.lastSeq(channel) ?? '–')].map((text) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      return cell;
    });
    cells[1].className = 'mono';
    row.append(...cells);
    return row;
  });
  $('seqs').replaceChildren(...rows);
}

function showState(state) {
  $('state').dataset.state = state;
  $('state').textContent = state;
  $('session').textContent = client?.sessionId ?? '…';
}

/** The browser's WebSocket, with every frame shown in the panel. */
class WatchedSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols);
    this.addEventListener('message', (message) => frame('in', message.data));
  }
  send(data) {
    frame('out', data);
    super.send(data);
  }
}

async function join(channel) {
  if (!channel || joined.has(channel)) return;
  joined.add(channel);
  const option = document.createElement('option');
  option.value = option.textContent = channel;
  $('to').append(option);
  $('to').value = channel;
  showSeqs();
  try {
    const { seq } = await client.subscribe(channel);
    note('joined', `${channel} at seq ${seq}`);
  } catch (error) {
    joined.delete(channel);
    option.remove();
    note('error', `${channel}: ${error.code} ${error.message}`);
  }
  showSeqs();
}

/** Connects: with the tab's anonymous id, or, given the signed-in user's id, with the session cookie alone. */
function start(userId) {
  const cookie = userId !== undefined;
  id = cookie ? userId : anonymousId(sessionStorage, ID_KEY);
  $('identity').textContent = id;
  $('identity-label').textContent = cookie ? 'User id' : 'Anonymous id';
  $('push-hint').textContent = `npm run push -- --user ${id} '{"hello":"world"}'`;
  const auth = cookie ? { mode: 'cookie' } : { mode: 'anonymous', store: sessionStorage, key: ID_KEY };
  client = new SessionClient({ url: config.url, WebSocket: WatchedSocket, auth });
  client.on('statechange', (state) => {
    showState(state);
    note('state', state);
  });
  client.on('open', ({ sessionId, resumed }) => {
    showState(client.connectionState);
    note('open', `${resumed ? 'resumed' : 'new'} session ${short(sessionId)}`);
  });
  client.on('resumed', ({ sessionId }) => note('resumed', `session ${short(sessionId)}: the replay follows`));
  client.on('gap', (gap) => note('gap', gap.kind === 'channel' ? `${gap.channel}: seqs ${gap.from}–${gap.to} were lost` : `session ${short(gap.sessionId)} expired; a new one starts`));
  client.on('close', ({ code, reason, reconnecting }) => note('close', `code ${code}${reason ? ` (${reason})` : ''}${reconnecting ? ', reconnecting' : ''}`));
  client.on('error', (error) => note('error', `${error.code} ${error.message}`));
  client.on('message', showMessage);
  const channels = [...joined];
  joined.clear();
  $('to').replaceChildren();
  for (const channel of channels) void join(channel);
}

$('join').onsubmit = (submit) => {
  submit.preventDefault();
  void join($('channel').value.trim());
};
$('say').onsubmit = async (submit) => {
  submit.preventDefault();
  const text = $('text').value;
  const channel = $('to').value;
  if (!text || !channel) return;
  $('text').value = '';
  try {
    await client.publish(channel, { from: id, text });
  } catch (error) {
    note('error', `not sent: ${error.code} ${error.message}`);
  }
};
for (const control of ['drop', 'cut', 'goaway']) {
  $(control).onclick = async () => {
    const response = await fetch(`sandbox/${control}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) });
    const { connections } = await response.json();
    note('sandbox', `${control}: ${response.ok ? `${connections} connection${connections === 1 ? '' : 's'}` : `failed (${response.status})`}`);
  };
}
$('reset').onclick = () => {
  client.close();
  sessionStorage.removeItem(ID_KEY);
  note('identity', 'a new anonymous id: a new user and a new session');
  start();
};

// Signing in, when the page's server serves the login example's HTTP API (config.signIn) at auth/….
let flowId;
let firstChannel = new URLSearchParams(window.location.search).get('channel') ?? 'lobby';
const showStatus = (text, kind = 'info') => {
  $('account-status').textContent = text;
  $('account-status').dataset.kind = kind;
};

async function authApi(path, body) {
  const response = await fetch(`auth/${path}`, body === undefined && path === 'devices' ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return { ok: response.ok, body: await response.json() };
}

function showAccount(userId) {
  $('signin').hidden = userId !== undefined;
  $('code').hidden = true;
  $('signed-in').hidden = userId === undefined;
  $('user').textContent = userId ?? '';
}

/** Shows the signed-in user's devices; resolves with the user's id, or undefined when signed out. */
async function showDevices() {
  const answer = await authApi('devices');
  if (!answer.ok) {
    showAccount(undefined);
    $('devices').replaceChildren();
    return undefined;
  }
  showAccount(answer.body.userId);
  $('devices').replaceChildren(
    ...answer.body.devices.map((device) => {
      const row = document.createElement('tr');
      row.dataset.sessionId = device.sessionId;
      if (device.current) row.className = 'current';
      const name = [device.device.browser, device.device.os].filter(Boolean).join(' on ') || 'unknown device';
      for (const text of [`${name}${device.current ? ' (this one)' : ''}`, device.device.ip ?? '', device.trusted ? 'yes' : 'no', new Date(device.lastUsedAt).toLocaleString()]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
  return answer.body.userId;
}

async function signedIn(text) {
  showStatus(text);
  const userId = await showDevices();
  if (config.auth !== 'cookie' || userId === undefined) return;
  client?.close();
  start(userId);
  if (firstChannel) void join(firstChannel);
  firstChannel = undefined;
}

async function signedOut(text) {
  showStatus(text);
  await showDevices();
  if (config.auth !== 'cookie' || !client) return;
  client.close();
  showState('closed');
  note('identity', 'signed out: sign in to connect');
}

$('signin').onsubmit = async (submit) => {
  submit.preventDefault();
  const answer = await authApi('login', { email: $('email').value.trim(), password: $('password').value, staySignedIn: $('stay').checked });
  $('password').value = '';
  if (!answer.ok) return showStatus(`not signed in: ${answer.body.error}${answer.body.message ? ` (${answer.body.message})` : ''}`, 'error');
  if (answer.body.status === 'MFA_REQUIRED') {
    flowId = answer.body.flowId;
    $('signin').hidden = true;
    $('code').hidden = false;
    return showStatus('enter the code your authenticator app shows');
  }
  await signedIn(`signed in${answer.body.evicted ? `; ${answer.body.evicted} least recently used session ended` : ''}`);
};
$('code').onsubmit = async (submit) => {
  submit.preventDefault();
  const answer = await authApi('login/code', { flowId, code: $('totp').value.trim() });
  $('totp').value = '';
  if (!answer.ok) return showStatus(`code refused: ${answer.body.error}`, 'error');
  await signedIn(`signed in with a second factor${answer.body.evicted ? `; ${answer.body.evicted} least recently used session ended` : ''}`);
};
$('trust').onclick = async () => {
  const answer = await authApi('devices/trust');
  showStatus(answer.ok ? 'this device is trusted' : `not trusted: ${answer.body.error}`, answer.ok ? 'info' : 'error');
  await showDevices();
};
$('refresh').onclick = async () => {
  const answer = await authApi('refresh');
  if (!answer.ok) return signedOut(`the session has ended: ${answer.body.error}`);
  showStatus(`session renewed until ${new Date(answer.body.expiresAt).toLocaleString()}`);
};
$('signout').onclick = async () => {
  await authApi('logout');
  await signedOut('signed out on this device');
};
$('signout-all').onclick = async () => {
  const answer = await authApi('logout-everywhere');
  await signedOut(answer.ok ? `signed out everywhere (${answer.body.sessions} session${answer.body.sessions === 1 ? '' : 's'})` : `not signed in: ${answer.body.error}`);
};

config = await (await fetch('config.json')).json();
$('url').textContent = config.url;
for (const control of ['drop', 'cut', 'goaway']) $(control).disabled = !config.controls.includes(control);
$('account').hidden = !config.signIn;
$('reset').hidden = config.auth === 'cookie';
if (config.auth === 'cookie') {
  // Already signed in (the cookie outlives the tab): connect at once; otherwise once signed in.
  const userId = await showDevices();
  if (userId === undefined) showState('closed');
  else await signedIn(`signed in as ${userId}`);
} else {
  if (config.signIn) await showDevices();
  start();
  void join(firstChannel);
}
