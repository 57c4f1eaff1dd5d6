/* Tasks page: every API call carries a fresh app token from Masthead.getToken(). DOM built with textContent only. */
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const tag = document.querySelector('script[data-app]');
  // The bar's API once its script has run (it loads async, before or after this file).
  const bar = () => (typeof window.Masthead === 'function' && typeof window.Masthead.ready === 'function'
    ? window.Masthead : null);
  const barLoaded = new Promise((resolve, reject) => {
    if (bar()) return resolve(bar());
    tag.addEventListener('load', () => (bar() ? resolve(bar()) : reject(new Error('no bar'))));
    tag.addEventListener('error', () => reject(new Error('no bar')));
  });
  const status = (text) => { $('status').textContent = text; };

  async function api(method, path, body) {
    const token = await (await barLoaded).getToken();
    const init = {method, headers: {Authorization: 'Bearer ' + token, Accept: 'application/json'}};
    if (body) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && data.message) || 'The Tasks API answered ' + response.status);
    return data;
  }

  function item(task) {
    const li = document.createElement('li');
    li.className = task.done ? 'done' : '';
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = task.done;
    box.addEventListener('change', () => run(api('PATCH', '/api/tasks/' + task.id, {done: box.checked})));
    const text = document.createElement('span');
    text.textContent = task.title;
    label.append(box, text);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '×';
    remove.setAttribute('aria-label', 'Delete “' + task.title + '”');
    remove.addEventListener('click', () => run(api('DELETE', '/api/tasks/' + task.id)));
    li.append(label, remove);
    return li;
  }

  async function load() {
    const data = await api('GET', '/api/tasks');
    $('list').replaceChildren(...data.tasks.map(item));
    const open = data.tasks.filter((t) => !t.done).length;
    $('summary').textContent = data.tasks.length ? open + ' open · ' + (data.tasks.length - open) + ' done' : 'Nothing to do. Enjoy it.';
    status('');
  }

  function run(promise) {
    return promise.then(load).catch((error) => status(error.message));
  }

  function show(user) {
    $('signed-in').hidden = !user;
    $('signed-out').hidden = !!user;
    if (user) {
      status('Loading your tasks…');
      load().catch((error) => status(error.message));
    } else {
      $('list').replaceChildren();
      status('');
    }
  }

  $('add').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('title');
    const title = input.value.trim();
    if (!title) return;
    input.value = '';
    run(api('POST', '/api/tasks', {title}));
  });
  $('sign-in').addEventListener('click', () => {
    if (bar()) bar().signIn();
    else location.assign(new URL(tag.src).origin + '/sign-in?next=' + encodeURIComponent(location.href));
  });
  barLoaded.then((masthead) => {
    masthead.on('change', show);
    return masthead.ready().then(show);
  }).catch(() => status('The identity service is unreachable.'));
})();
