// The teleprinter client of the AWS sample "WebSocket API with anonymous sessions", unmodified in what
// it asks of the server: its random id, kept in localStorage, is its only subprotocol; it sends
// {"action":"teleprinter"} once connected and prints every frame it receives, one character each.
(function () {
  const $ = (id) => document.getElementById(id);
  const STORAGE_KEY = 'teleprinter.user-id';
  let url;
  let socket;

  const userId = () => {
    let id = localStorage.getItem(STORAGE_KEY);
    if (!id) {
      id = crypto.randomUUID();
      localStorage.setItem(STORAGE_KEY, id);
    }
    return id;
  };

  const show = (state, text) => {
    $('status').dataset.state = state;
    $('status').textContent = text;
    $('toggle').textContent = state === 'closed' ? 'Connect' : 'Disconnect';
    $('toggle').disabled = state === 'connecting';
  };

  const connect = () => {
    show('connecting', 'connecting…');
    socket = new WebSocket(url, userId());
    socket.onopen = () => {
      show('open', `connected as ${socket.protocol}`);
      socket.send(JSON.stringify({ action: 'teleprinter' }));
    };
    socket.onmessage = (event) => {
      $('teleprinter').textContent += event.data;
    };
    socket.onclose = (event) => {
      socket = undefined;
      show('closed', `disconnected (${event.code})`);
    };
  };

  $('toggle').onclick = () => (socket ? socket.close(1000) : connect());
  $('reset').onclick = () => {
    localStorage.setItem(STORAGE_KEY, crypto.randomUUID());
    $('identity').textContent = userId();
    $('teleprinter').textContent = '';
    if (socket) socket.close(1000);
  };

  // ?url=wss://… names the API (a deployed stage); otherwise config.json, served beside this page.
  const given = new URLSearchParams(window.location.search).get('url');
  (given ? Promise.resolve({ url: given }) : fetch('config.json').then((response) => response.json())).then((config) => {
    url = config.url;
    $('url').textContent = url;
    $('identity').textContent = userId();
    show('closed', 'disconnected');
  });
})();
