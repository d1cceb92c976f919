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
  $('session').textContent = client.sessionId ?? '…';
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

function start() {
  id = anonymousId(sessionStorage, ID_KEY);
  $('identity').textContent = id;
  $('push-hint').textContent = `npm run push -- --user ${id} '{"hello":"world"}'`;
  client = new SessionClient({ url: config.url, WebSocket: WatchedSocket, auth: { mode: 'anonymous', store: sessionStorage, key: ID_KEY } });
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

config = await (await fetch('config.json')).json();
$('url').textContent = config.url;
for (const control of ['drop', 'cut', 'goaway']) $(control).disabled = !config.controls.includes(control);
start();
void join(new URLSearchParams(window.location.search).get('channel') ?? 'lobby');
