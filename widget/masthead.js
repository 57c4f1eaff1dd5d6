/* Masthead bar: one account bar for a family of apps (README.md "Embedding the bar", docs/protocol.md).
 *
 * Plain modern JavaScript, no dependencies. The identity API minifies this file with rjsmin, replaces
 * '__MASTHEAD_CSS__' with the minified widget/masthead.css and serves it as /masthead.js. Size is a
 * feature: tests/test_bar_assets.py holds the served JS + CSS to 6 KB gzipped, so the code is terse.
 */
(() => {
  'use strict';
  const W = window, D = document, KEY = Symbol.for('masthead.bar');
  if (W[KEY]) return; // a second copy of the script is a no-op (a symbol key cannot clash with a global)

  // Captured at load: a host that later wraps, replaces or clobbers these cannot change what the bar does.
  const F = W.fetch, P = Promise, J = JSON, U = URL, DP = Document.prototype, EP = EventTarget.prototype;
  const doc = (name) => Object.getOwnPropertyDescriptor(DP, name).get.call(D); // immune to <img name=...>
  const listen = (target, type, fn, capture) => EP.addEventListener.call(target, type, fn, capture);

  // ---- configuration: the script tag's data-* -------------------------------------------------------
  const script = doc('currentScript');
  const ds = (script instanceof HTMLScriptElement && script.dataset) || {};
  const APP = ds.app, APP_ID = /^[a-z][a-z0-9-]{1,31}$/;
  if (!APP_ID.test(APP || '')) return console.error('Masthead: the script tag needs data-app="<app id>"');
  W[KEY] = 1;
  const ID = new U(script.src).origin, HINT = 'masthead:hint';

  // ---- helpers ------------------------------------------------------------------------------------------
  // h('a', {class: 'x', href}, 'text', child): DOM built with createElement; text is always a text node.
  const h = (tag, attrs, ...kids) => {
    const el = DP.createElement.call(D, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    el.append(...kids);
    return el;
  };
  const str = (v, max) => (typeof v == 'string' ? v.slice(0, max || 200) : '');
  // A URL the bar may use: on the identity origin, or with a scheme `ok` allows; anything else is ''.
  const safeURL = (v, ok) => {
    try {
      const u = new U(v, ID);
      return typeof v == 'string' && (u.origin == ID || (ok && ok.test(u.protocol))) ? u.href : '';
    } catch (e) {
      return '';
    }
  };
  const HTTPS = /^https:$/;
  const idOf = (u) => (u && u.id != null && u.id !== '' ? String(u.id) : null);
  const cleanUser = (u) => {
    const id = idOf(u), name = id && (str(u.name) || str(u.email) || 'Account');
    let c = 7; // the avatar colour: a stable hash of the user id
    for (const ch of id || '') c = (c * 31 + ch.charCodeAt(0)) | 0;
    return id && {id, name, email: str(u.email), avatar: safeURL(u.avatar, HTTPS) || null, c: (c >>> 0) % 8,
      initials: str(u.initials, 3) || name[0].toUpperCase()};
  };
  const pub = (u) => u && {id: u.id, name: u.name, email: u.email, initials: u.initials, avatar: u.avatar};
  const cleanApps = (list) => (Array.isArray(list) ? list : []).flatMap((a) => {
    const url = a && APP_ID.test(a.id) && safeURL(a.url, /^https?:$/);
    return url ? [{id: a.id, name: str(a.name) || a.id, url, icon: safeURL(a.icon, HTTPS),
      color: /^#[0-9a-f]{6}$/i.test(a.color) && a.color, handover: a.handover}] : [];
  });
  // Readable text on the accent: white when it reaches WCAG AA (4.5:1), else black (then always >= 4.5).
  const onAccent = (color) => [0.2126, 0.7152, 0.0722].reduce((y, w, i) => {
    const c = parseInt(color.substr(2 * i + 1, 2), 16) / 255;
    return y + w * (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  }, 0) > 0.1833 ? '#000' : '#fff';

  // ---- state ----------------------------------------------------------------------------------------------
  // user: what /api/me confirmed (null: anonymous or not known yet); known: has it answered? down: did the
  // last check fail? appUser: the app backend's session user (undefined: not known, null: anonymous).
  let user = null, known, down, apps = [], links = {}, hint, hintApp, tok, tokP, inflight, settle;
  let appUser = 'sessionUser' in ds ? ds.sessionUser || null : undefined, syncing = P.resolve();
  const readyP = new P((resolve) => { settle = resolve; });
  const current = () => apps.find((a) => a.id == APP);

  // Repeat visits paint the user at once from a non-secret hint in this origin's storage (never a token).
  try {
    const saved = J.parse(W.localStorage.getItem(HINT));
    hint = cleanUser(saved.u);
    hintApp = cleanApps([saved.a])[0];
  } catch (e) { /* no hint, or storage blocked */ }
  const saveHint = (u) => {
    try {
      if (u) W.localStorage.setItem(HINT, J.stringify({u: {...pub(u), email: ''}, a: current()}));
      else W.localStorage.removeItem(HINT);
    } catch (e) { /* storage full or blocked: the hint is only an optimisation */ }
  };

  // ---- network: every request is bounded (2 s) and every failure becomes a state ----------------------
  const req = (url, method, body, cross) => {
    const ac = new AbortController(), timer = setTimeout(() => ac.abort(), 2000);
    return P.resolve()
      .then(() => F.call(W, url, {method: method || 'GET', credentials: cross ? 'include' : 'same-origin',
        signal: ac.signal, headers: body ? {'Content-Type': 'application/json'} : {}, body: body ? J.stringify(body) : null}))
      .then(async (r) => Object.assign(r, {data: /^application\/json/.test(r.headers.get('content-type')) ? Object(await r.json()) : {}}))
      .finally(() => clearTimeout(timer));
  };

  // The one seam for session discovery. A cookie-less mode (apps on other registrable domains, where
  // third-party cookies are blocked) replaces these three functions and nothing else.
  const transport = {
    me: () => req(ID + '/api/me', 0, 0, 1),
    token: () => req(ID + '/api/tokens', 'POST', {audience: APP}, 1),
    signOut: () => req(ID + '/api/sign-out', 'POST', {}, 1),
  };

  let chan;
  try { chan = new BroadcastChannel('masthead'); } catch (e) { /* unsupported: focus re-checks still work */ }
  const fire = (type, u) => EP.dispatchEvent.call(D, new CustomEvent('masthead:' + type, {detail: {user: pub(u)}}));

  // Adopt `u` as the confirmed user; `share` tells this site's other tabs at once.
  const adopt = (u, share) => {
    const changed = !known || J.stringify(pub(u)) != J.stringify(pub(user));
    if (idOf(u) != idOf(user)) tok = null;
    user = u;
    known = 1;
    saveHint(u);
    render();
    if (changed) {
      if (share && chan) chan.postMessage({masthead: APP, user: pub(u)});
      fire('change', u);
    }
  };

  const refresh = () => inflight || (inflight = transport.me()
    .then((r) => {
      if (!r.ok || !('user' in r.data)) throw r;
      apps = cleanApps(r.data.apps);
      links = Object(r.data.links);
      down = 0;
      adopt(cleanUser(r.data.user), 1);
      sync(user);
    })
    .catch(() => {
      down = 1;
      render();
    })
    .then(() => {
      inflight = null;
      settle(pub(user));
      return pub(user);
    }));

  let soonTimer;
  const soon = () => {
    clearTimeout(soonTimer);
    soonTimer = setTimeout(() => doc('visibilityState') == 'visible' && refresh(), 100);
  };

  const token = () => (tok && tok.exp > Date.now() ? P.resolve(tok.v) : tokP || (tokP = transport.token()
    .then((r) => {
      const t = r.data.token;
      if (typeof t != 'string') {
        if (r.status == 401) soon();
        throw new Error('Masthead.getToken: ' + (r.status == 401 ? 'not signed in' : 'refused (' + r.status + ')'));
      }
      tok = {v: t, exp: Date.now() + r.data.expires_in * 900}; // reuse for 90% of its lifetime
      return t;
    }, () => {
      throw new Error('Masthead.getToken: no answer');
    })
    .finally(() => { tokP = null; })));

  // Keep the app backend's first-party session in step with the identity session (protocol "Hand-over").
  const sync = (u) => (syncing = syncing.then(async () => {
    const path = ds.handover || (current() || {}).handover, want = idOf(u);
    if (typeof path != 'string' || !/^\/(?![/\\])[^\s\\]*$/.test(path)) return;
    const url = new U(path, location.origin).href;
    if (appUser === undefined) {
      const r = await req(url);
      if (!r.ok) throw r;
      appUser = idOf(r.data.user);
    }
    if (want == appUser) return;
    const r = await (want ? token().then((t) => req(url, 'POST', {token: t})) : req(url, 'DELETE'));
    if (!r.ok) throw r;
    appUser = want;
    fire('handover', u);
  }).catch(() => { appUser = undefined; }));

  const signInURL = () => {
    const u = new U(safeURL(links.sign_in) || ID + '/sign-in');
    u.searchParams.set('next', location.href);
    return u.href;
  };

  const signOut = () => transport.signOut()
    .then((r) => {
      if (!r.ok) throw r;
      saveHint(tok = null);
      return sync(null);
    })
    .then(() => {
      down = 0;
      adopt(null, 1);
      return null;
    }, () => {
      throw new Error('Masthead.signOut: failed');
    });

  // ---- rendering --------------------------------------------------------------------------------------------
  const POP = 'showPopover' in HTMLElement.prototype; // popovers sit in the top layer, above any host z-index
  let host, root, nameEl, brand, right, accent, openM, shownKey, seq = 0;

  const mount = () => {
    try {
      host = DP.querySelector.call(D, 'masthead-bar');
      if (!host || host.shadowRoot) doc('body').prepend(host = h('masthead-bar')); // no placeholder: the top
      root = host.attachShadow({mode: 'open'});
      const base = new CSSStyleSheet();
      base.replaceSync('__MASTHEAD_CSS__');
      root.adoptedStyleSheets = [base, accent = new CSSStyleSheet()];
      root.append(h('nav', {class: 'bar', 'aria-label': 'Apps and account'},
        brand = h('a', {class: 'brand'}, h('i', {class: 'mk'}), nameEl = h('span', {class: 'name'})),
        right = h('div')));
      listen(D, 'pointerdown', (e) => openM && !e.composedPath().includes(openM.wrap) && openM.close(), true);
      render();
    } catch (e) {
      root = null; // an old browser, or a host that took the element: stay out of the way
    }
  };

  const img = (src) => {
    const i = h('img', {alt: '', src, referrerpolicy: 'no-referrer'});
    listen(i, 'error', () => i.remove()); // a broken or CSP-blocked image shows the initials / letter under it
    return i;
  };
  const face = (u, big) => h('span', {class: 'fc' + (big || ''), 'aria-hidden': 'true'}, u.initials, ...(u.avatar ? [img(u.avatar)] : []));
  const item = (tag, attrs, ...kids) => h(tag, {class: 'it', role: 'menuitem', tabindex: -1, ...attrs}, ...kids);

  // WAI-ARIA APG menu button: `attrs` and `kid` make the button, `fill(pop, menu)` builds the panel on open.
  const menuButton = (attrs, kid, label, cls, fill) => {
    const menu = h('div', {class: 'm', role: 'menu', 'aria-label': label, id: 'mh' + ++seq});
    const btn = h('button', {type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': false, 'aria-controls': menu.id, ...attrs}, kid);
    const pop = h('div', {class: 'pop ' + cls}), wrap = h('div', {class: 'w'}, btn, pop);
    const items = () => [...menu.children];
    const m = {
      wrap,
      close(back) {
        if (openM != m) return;
        openM = null;
        if (POP) pop.hidePopover(); else pop.hidden = true;
        btn.setAttribute('aria-expanded', false);
        if (back) btn.focus();
      },
    };
    const open = (last) => {
      if (openM) openM.close();
      pop.textContent = menu.textContent = '';
      fill(pop, menu);
      pop.append(menu);
      if (POP) {
        pop.showPopover();
        // Under the bar, its end aligned to the button's, kept inside the viewport (in rtl too).
        const w = pop.offsetWidth;
        pop.style.left = Math.max(8, Math.min(btn.getBoundingClientRect().right - w, D.documentElement.clientWidth - w - 8)) + scrollX + 'px';
        pop.style.top = host.getBoundingClientRect().bottom + 4 + scrollY + 'px';
      } else pop.hidden = false;
      btn.setAttribute('aria-expanded', true);
      openM = m;
      const list = items();
      if (list[0]) list[last ? list.length - 1 : 0].focus();
    };
    if (POP) pop.popover = 'manual'; else pop.hidden = true;
    listen(btn, 'click', () => (openM == m ? m.close() : open()));
    listen(menu, 'click', () => m.close(1));
    listen(wrap, 'keydown', (e) => {
      const k = e.key, list = items(), n = list.length, i = list.indexOf(root.activeElement);
      const j = e.target == btn ? -1 : k == 'ArrowDown' ? (i + 1) % n : k == 'ArrowUp' ? (i + n - 1) % n : k == 'Home' ? 0 : k == 'End' ? n - 1 : -1;
      if (e.target == btn && (k == 'ArrowDown' || k == 'ArrowUp')) open(k == 'ArrowUp');
      else if (j >= 0) list[j].focus();
      else if (k == 'Escape' && openM == m) m.close(1);
      else if (k == ' ' && e.target.href) e.target.click(); // links do not answer Space by themselves
      else return k == 'Tab' && m.close();
      e.preventDefault();
    });
    return wrap;
  };

  const switcher = () => menuButton({class: 'ic', title: 'Apps'}, h('i'), 'Apps', 'apps', (pop, menu) => {
    for (const a of apps) {
      menu.append(item('a', {class: 'it app', href: a.url, ...(a.id == APP && {'aria-current': 'true'})},
        h('span', {class: 'tile', 'aria-hidden': 'true'}, a.name[0], ...(a.icon ? [img(a.icon)] : [])), h('span', {class: 'an'}, a.name)));
    }
  });

  const account = (u) => menuButton({class: 'av' + (down ? ' off' : ''), title: u.name,
    'aria-label': 'Account: ' + u.name + (down ? ' (offline)' : '')}, face(u), 'Account', '', (pop, menu) => {
    const v = user || u, out = item('button', {type: 'button'}, 'Sign out');
    pop.append(h('div', {class: 'who'}, face(v, ' big'), h('div', {class: 'wt'}, h('div', {class: 'un'}, v.name), h('div', {class: 'em'}, v.email))));
    listen(out, 'click', () => signOut().catch(() => { down = 1; render(); }));
    menu.append(item('a', {href: safeURL(links.account) || ID + '/account'}, 'Manage account'), out);
  });

  const render = () => {
    if (!root) return;
    const app = current() || hintApp || {}, color = app.color || '#444746';
    nameEl.textContent = app.name || '';
    if (app.url) brand.href = app.url;
    const u = user || (!known && hint);
    accent.replaceSync(':host{--_ra:' + color + ';--_ron:' + onAccent(color) + ';--_uc:#' +
      '15c 273 c22 619 a15 065 b30 456'.split(' ')[u ? u.c : 0] + '}');
    // The right side shows the user (confirmed, or the hint while unknown), "Sign in" once anonymous (or
    // the API failed before anything was known), else a neutral skeleton: never a wrong state. It is
    // rebuilt only when that changes, and new nodes never count as layout shift.
    const key = [u && [u.name, u.initials, u.avatar, u.c], known || down, down].join();
    if (key == shownKey) return;
    shownKey = key;
    const focused = right.contains(root.activeElement);
    if (openM) openM.close();
    let main = u && account(u);
    if (!u && (known || down)) {
      main = h('a', {class: 'si', href: signInURL()}, 'Sign in');
      listen(main, 'click', () => { main.href = signInURL(); }); // the page URL may have changed since
    }
    const r = h('div', {class: 'r'}, ...(main ? [switcher(), main] : [h('span', {class: 'sk', 'aria-hidden': 'true'})]));
    right.replaceWith(r);
    right = r;
    if (focused && main) (main.firstChild.focus ? main.firstChild : main).focus();
  };

  // ---- the public API (README.md) --------------------------------------------------------------------------
  const methods = {
    ready: () => readyP,
    refresh: () => refresh(),
    getToken: () => readyP.then(() => (user ? token() : P.reject(new Error('Masthead.getToken: not signed in')))),
    signIn: () => location.assign(signInURL()),
    signOut: () => signOut(),
    on: (type, fn) => {
      if (type != 'change') throw new TypeError('Masthead.on: unknown event ' + J.stringify(String(type)) + ' (expected "change")');
      if (typeof fn != 'function') throw new TypeError('Masthead.on: the listener must be a function (got ' + (fn === null ? 'null' : typeof fn) + ')');
      // A DOM listener: a listener that throws is reported by the browser and cannot break the bar.
      const f = (e) => fn(e.detail.user);
      listen(D, 'masthead:change', f);
      return () => EP.removeEventListener.call(D, 'masthead:change', f);
    },
  };
  // Masthead("method", ...args) is the queue stub's calling form; it keeps working after load.
  function Masthead(method, ...args) {
    if (!Object.hasOwn(methods, method)) throw new TypeError('Masthead: unknown method ' + J.stringify(String(method)));
    return methods[method](...args);
  }
  Object.defineProperty(Object.assign(Masthead, methods), 'user', {get: () => pub(user)});

  // One global, created only if absent. The queue stub (a function) is replaced and its calls replayed;
  // DOM clobbering (<form id="Masthead">, <img name="Masthead">) is not "present" and gets shadowed.
  const prev = W.Masthead, stub = typeof prev == 'function';
  if (prev === undefined || stub || prev instanceof Element || prev instanceof HTMLCollection) {
    try { W.Masthead = Masthead; } catch (e) { /* a host made the name read-only: the bar still runs */ }
  }

  // ---- start ------------------------------------------------------------------------------------------------
  if (chan) {
    chan.onmessage = (e) => {
      const d = e.data;
      if (!d || d.masthead != APP) return;
      down = 0;
      adopt(cleanUser(d.user));
      sync(user);
    };
  }
  listen(W, 'focus', soon);
  listen(D, 'visibilitychange', soon);
  refresh();
  if (doc('body')) mount(); else listen(D, 'DOMContentLoaded', mount);
  for (const args of (stub && Array.isArray(prev.q) && prev.q) || []) {
    try { Masthead(...args); } catch (e) { console.error(e); }
  }
})();
