% rebase('base', title=page['title'])
<div class="tabs">
  <a class="tab active" href="{{root}}/wiki/{{page['slug']}}">Read</a>
  % if user:
  <a class="tab" href="{{root}}/wiki/{{page['slug']}}/edit">Edit</a>
  % end
  <a class="tab" href="{{root}}/wiki/{{page['slug']}}/history">History</a>
</div>
<article class="article">
  <h1 class="page-title">{{page['title']}}</h1>
  % for para in page['body'].split('\n\n'):
  <p>{{para}}</p>
  % end
</article>
<p class="byline">{{revisions}} revision{{'' if revisions == 1 else 's'}} · last edited by <strong>{{last['author_name'] if last else ''}}</strong> on {{fmt_time(page['updated'])}}</p>
% if not user:
<p class="notice"><a data-sign-in href="{{identity_url}}/sign-in?next={{request.url}}">Sign in to edit this page</a>.</p>
% end
