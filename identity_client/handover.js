/* Served by identity_client at <hand-over path>.js (same origin as the page, so a strict CSP allows it).
   Server-rendered pages need it once: after the bar has signed the app's own session in or out, reload
   into the view the server now renders; make `data-sign-in` links use the bar's sign-in when it is there.
   Load it (without async/defer) before the bar's script tag, so the listener is in place first. */
(() => {
  'use strict';
  window.Masthead = window.Masthead || function () { (window.Masthead.q = window.Masthead.q || []).push(arguments); };

  document.addEventListener('masthead:handover', (event) => {
    const bar = document.querySelector('script[data-session-user]');
    const rendered = bar ? bar.dataset.sessionUser || null : null;
    const user = event.detail && event.detail.user;
    if ((user ? String(user.id) : null) === rendered) return;
    // Guard against a reload loop when cookies are blocked: at most two hand-over reloads a minute.
    const key = 'masthead:reloads', now = Date.now();
    let recent = [];
    try { recent = JSON.parse(sessionStorage.getItem(key) || '[]').filter((t) => now - t < 60000); } catch (e) { /* storage blocked */ }
    if (recent.length >= 2) return;
    try { sessionStorage.setItem(key, JSON.stringify([...recent, now])); } catch (e) { /* storage blocked */ }
    location.reload();
  });

  document.addEventListener('DOMContentLoaded', () => {
    for (const link of document.querySelectorAll('[data-sign-in]')) {
      link.addEventListener('click', (event) => {
        if (typeof window.Masthead.signIn === 'function') {
          event.preventDefault();
          window.Masthead.signIn();
        }
      });
    }
  });
})();
