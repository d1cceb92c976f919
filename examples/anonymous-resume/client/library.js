// The teleprinter on the client library (packages/client, served as an esbuild bundle at /client.js):
// the same anonymous id as the sample's page (localStorage), {"action":"teleprinter"} sent with
// client.send on every session the library opens (the first and each resumed one), and every frame that
// is not a protocol frame, one character each, printed as it comes.
import { SessionClient, anonymousId } from './client.js';

const $ = (id) => document.getElementById(id);
const STORAGE_KEY = 'teleprinter.user-id';

// ?url=wss://… names the API (a deployed stage); otherwise config.json, served beside this page.
const given = new URLSearchParams(window.location.search).get('url');
const config = given ? { url: given } : await fetch('config.json').then((response) => response.json());
$('url').textContent = config.url;
$('identity').textContent = anonymousId(localStorage, STORAGE_KEY);

const client = new SessionClient({ url: config.url, auth: { mode: 'anonymous', store: localStorage, key: STORAGE_KEY } });
let drops = 0;
client.on('statechange', (state) => {
  $('status').dataset.state = state;
  $('status').textContent = state;
});
client.on('close', () => ($('drops').textContent = `${++drops} drop${drops === 1 ? '' : 's'}, resumed after each`));
client.on('open', ({ sessionId }) => {
  $('session').textContent = sessionId;
  client.send('teleprinter').catch((error) => console.warn('teleprinter not sent:', error));
});
client.on('frame', ({ data }) => ($('teleprinter').textContent += data));
client.on('error', (error) => console.warn(error.code, error.message));
