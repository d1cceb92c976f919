// The demo client: an anonymous id offered as the subprotocol (new WebSocket(url, id)), as in the AWS sample.
(function () {
  const $ = (id) => document.getElementById(id);
  const STORAGE_KEY = 'websocket-sessions.anonymous-id';
  let socket;
  let config;

  const identity = () => {
    let id = localStorage.getItem(STORAGE_KEY);
    if (!id) {
      id = crypto.randomUUID();
      localStorage.setItem(STORAGE_KEY, id);
    }
    return id;
  };

  const log = (kind, text) => {
    const item = document.createElement('li');
    item.className = kind;
    item.textContent = `${new Date().toISOString().slice(11, 23)} ${kind === 'in' ? '◀' : kind === 'out' ? '▶' : '·'} ${text}`;
    $('log').appendChild(item);
    $('log').scrollTop = $('log').scrollHeight;
  };

  const setState = (state, text) => {
    $('status').dataset.state = state;
    $('status').textContent = text;
    const open = state === 'open';
    $('connect').disabled = state !== 'closed';
    $('disconnect').disabled = !open;
    $('ping').disabled = !open;
    $('send').disabled = !open;
  };

  const showIdentity = () => {
    $('identity').textContent = identity();
    $('push-hint').textContent = `npm run push -- --user ${identity()} '{"hello":"world"}'`;
  };

  const send = (text) => {
    socket.send(text);
    log('out', text);
  };

  const connect = () => {
    setState('connecting', 'connecting…');
    socket = new WebSocket(config.url, identity());
    socket.onopen = () => {
      setState('open', `connected (subprotocol ${socket.protocol})`);
      log('sys', `open, subprotocol echoed: ${socket.protocol}`);
    };
    socket.onmessage = (event) => log('in', event.data);
    socket.onclose = (event) => {
      setState('closed', 'disconnected');
      log('sys', `closed with code ${event.code}${event.reason ? ` (${event.reason})` : ''}`);
    };
    socket.onerror = () => log('sys', 'connection error (see the sandbox output for the handshake status)');
  };

  $('connect').onclick = connect;
  $('disconnect').onclick = () => socket && socket.close(1000, 'bye');
  $('ping').onclick = () => send(JSON.stringify({ action: 'ping', id: `ping-${Date.now()}` }));
  $('send').onclick = () => send($('frame').value);
  $('reset').onclick = () => {
    localStorage.removeItem(STORAGE_KEY);
    showIdentity();
    log('sys', 'new anonymous id; reconnect to use it');
  };

  fetch('config.json')
    .then((response) => response.json())
    .then((loaded) => {
      config = loaded;
      $('url').textContent = config.url;
      showIdentity();
      if (new URLSearchParams(window.location.search).has('autoconnect')) connect();
    });
})();
