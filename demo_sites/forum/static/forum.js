/* Forum page behaviour: reload into the signed-in view after a hand-over; sign-in links; confirmations.
   Loaded (without defer) before the bar's script tag, so the hand-over listener is always in place first. */
(() => {
  'use strict';
  const APP = 'forum';
  // Queue stub: calls made before the bar loads are replayed by it.
  window.Masthead = window.Masthead || function () { (window.Masthead.q = window.Masthead.q || []).push(arguments); };

  document.addEventListener('masthead:handover', (event) => {
    const bar = document.querySelector('script[data-session-user]');
    const rendered = bar ? bar.dataset.sessionUser || null : null;
    const user = event.detail && event.detail.user;
    if ((user ? String(user.id) : null) === rendered) return;
    // Guard against a reload loop when cookies are blocked: at most two hand-over reloads a minute.
    const key = APP + ':reloads', now = Date.now();
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
    for (const form of document.querySelectorAll('form[data-confirm]')) {
      form.addEventListener('submit', (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    }
  });
})();
