% rebase('base', title='All pages')
<h1 class="page-title">All pages</h1>
<table class="pages">
  <thead><tr><th>Page</th><th>Last edited by</th><th>When</th></tr></thead>
  <tbody>
  % for p in pages:
    <tr><td><a href="{{root}}/wiki/{{p['slug']}}">{{p['title']}}</a></td><td>{{p['last_author']}}</td><td>{{fmt_time(p['updated'])}}</td></tr>
  % end
  </tbody>
</table>
% if not user:
<p class="notice">Anyone can read. <a data-sign-in href="{{identity_url}}/sign-in?next={{request.url}}">Sign in to edit</a> — your name goes into each page's history.</p>
% end
