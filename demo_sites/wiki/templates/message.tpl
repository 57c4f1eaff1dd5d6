% rebase('base', title='Wiki')
<h1 class="page-title">Hmm.</h1>
<p>{{message}}</p>
<p><a href="{{root}}/">Back to all pages</a></p>
