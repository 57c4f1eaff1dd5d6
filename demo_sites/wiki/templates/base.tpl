<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{title}} · Wiki</title>
  <link rel="icon" href="{{identity_url}}/static/icons/wiki.svg">
  <link rel="stylesheet" href="{{identity_url}}/static/family.css">
  <link rel="stylesheet" href="{{root}}/static/wiki.css">
  <script src="{{root}}/.masthead/session.js"></script>
</head>
<body>
  <script src="{{identity_url}}/masthead.js" data-app="{{app_id}}" data-session-user="{{user.id if user else ''}}"{{!(' data-handover="%s/.masthead/session"' % bottle_html_escape(root)) if root else ''}} async></script>
  <masthead-bar><a href="{{identity_url}}/sign-in">Sign in</a></masthead-bar>
  <div class="shell">
    <nav class="side" aria-label="Wiki">
      <a class="logo" href="{{root}}/"><span class="glyph" aria-hidden="true">W</span><span>The Family<br>Wiki</span></a>
      <ul>
        <li><a href="{{root}}/">All pages</a></li>
        <li><a href="{{root}}/wiki/welcome">Welcome</a></li>
      </ul>
      <form class="new" method="get" action="{{root}}/new">
        <label for="new-title">New page</label>
        <input id="new-title" name="title" maxlength="120" placeholder="Page title" required>
      </form>
    </nav>
    <main class="content">
      {{!base}}
    </main>
  </div>
  <footer class="foot">Wiki is a Bottle app in the Masthead family · every edit is signed by its author.</footer>
</body>
</html>
