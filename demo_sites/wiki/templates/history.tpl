% rebase('base', title='History of ' + title)
<div class="tabs">
  <a class="tab" href="{{root}}/wiki/{{slug}}">Read</a>
  % if user:
  <a class="tab" href="{{root}}/wiki/{{slug}}/edit">Edit</a>
  % end
  <a class="tab active" href="{{root}}/wiki/{{slug}}/history">History</a>
</div>
<h1 class="page-title">History of “{{title}}”</h1>
<ol class="history">
% for rev, lines in changes:
  <li class="revision">
    <div class="rev-head"><strong class="rev-author">{{rev['author_name']}}</strong> <span class="rev-summary">{{rev['summary']}}</span> <time>{{fmt_time(rev['created'])}}</time></div>
    % if lines:
    <div class="diff">
      % for sign, text in lines:
      <span class="{{'add' if sign == '+' else 'del'}}">{{sign}} {{text}}</span>
      % end
    </div>
    % end
  </li>
% end
</ol>
