/* Notes' own page behaviour: confirm before deleting a note. (The hand-over glue is identity_client's
   /.masthead/session.js.) */
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
