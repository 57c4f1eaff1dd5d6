% rebase('base', title=('New page' if is_new else 'Editing ' + title))
<div class="tabs">
  <a class="tab" href="{{root}}/wiki/{{slug}}">Read</a>
  <a class="tab active" href="{{root}}/wiki/{{slug}}/edit">Edit</a>
  <a class="tab" href="{{root}}/wiki/{{slug}}/history">History</a>
</div>
<h1 class="page-title">{{'Create' if is_new else 'Edit'}} “{{title}}”</h1>
<form class="editor" method="post" action="{{root}}/wiki/{{slug}}">
  <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
  <label for="title">Title</label>
  <input id="title" name="title" value="{{title}}" maxlength="120" required>
  <label for="body">Text <span class="muted">(blank lines separate paragraphs)</span></label>
  <textarea id="body" name="body" rows="14" required>{{body}}</textarea>
  <label for="summary">Summary of your change</label>
  <input id="summary" name="summary" maxlength="200" placeholder="Fixed a typo, added a section…">
  <p class="muted">Saving as <strong>{{user.name}}</strong>.</p>
  <button type="submit">Save page</button>
</form>
