% rebase('base', title='Sign in to edit')
<h1 class="page-title">Sign in to edit</h1>
<p>Everyone can read the wiki; editing needs a Masthead account so the history can say who changed what.</p>
<p><a class="button" data-sign-in href="{{identity_url}}/sign-in?next={{request.url}}">Sign in with the bar</a></p>
