% rebase('base', title='No such page')
<h1 class="page-title">“{{slug}}” does not exist yet</h1>
% if user:
<p><a class="button" href="{{root}}/wiki/{{slug}}/edit">Create it</a></p>
% else:
<p class="notice"><a data-sign-in href="{{identity_url}}/sign-in?next={{request.url}}">Sign in</a> to create it.</p>
% end
