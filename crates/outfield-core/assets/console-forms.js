// The console's small form helpers, each optional (every form works without them).
//
// Type-ahead for a search form marked `data-live-search="<id>"`: as the person types, the page is fetched
// with the form's query and the element with that id is replaced by the fetched one. Choices already
// ticked in it are kept at the top. Without this script the form still works by its Find button.
(function () {
  'use strict';
  document.querySelectorAll('form[data-live-search]').forEach(function (form) {
    var targetId = form.getAttribute('data-live-search');
    var input = form.querySelector('input[type="search"]');
    if (!input) { return; }
    var timer = null;
    var latest = 0;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { refresh(++latest); }, 250);
    });
    function refresh(request) {
      var query = new URLSearchParams(new FormData(form)).toString();
      fetch((form.getAttribute('action') || window.location.pathname) + '?' + query, { credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html || request !== latest) { return; }
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(targetId);
          var current = document.getElementById(targetId);
          if (!fresh || !current) { return; }
          var ticked = Array.prototype.filter.call(current.querySelectorAll('input[type="checkbox"]'), function (box) { return box.checked; });
          var legend = fresh.querySelector('legend');
          ticked.forEach(function (box) {
            var twin = fresh.querySelector('input[type="checkbox"][value="' + box.value + '"]');
            if (twin) { twin.checked = true; return; }
            var label = box.closest('label');
            if (label && legend) { legend.after(label); }
          });
          current.replaceWith(fresh);
          var hidden = document.querySelector('input[type="hidden"][name="q"]');
          if (hidden) { hidden.value = input.value; }
        })
        .catch(function () { /* the Find button still works */ });
    }
  });
})();

// Progress for a long submission, on a form marked `data-progress="<wording>"`: from the moment it is
// sent until the next page arrives, the form shows a moving bar, the wording and the seconds so far.
(function () {
  'use strict';
  document.querySelectorAll('form[data-progress]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var status = document.createElement('p');
      status.setAttribute('role', 'status');
      var bar = document.createElement('progress');
      bar.className = 'working';
      var words = document.createElement('span');
      status.append(bar, ' ', words);
      form.append(status);
      var started = Date.now();
      function tick() { words.textContent = form.getAttribute('data-progress') + ' ' + Math.round((Date.now() - started) / 1000) + ' s'; }
      tick();
      window.setInterval(tick, 1000);
      form.querySelectorAll('button[type="submit"]').forEach(function (button) { button.disabled = true; });
    });
  });
})();

// Progress for a long download, on the links inside an element marked `data-download-progress="<wording>"`
// (and `data-download-failed="<wording>"`): the file is
// fetched here instead of by the browser's own download, so that the page can show a moving bar, the
// seconds so far and the size received, then hands the finished file to the browser under the name the
// server gave it. A failure is said in the page. Without this script the link downloads as usual.
(function () {
  'use strict';
  function size(bytes) {
    return bytes < 1048576 ? Math.max(1, Math.round(bytes / 1024)) + ' KB' : (bytes / 1048576).toFixed(1) + ' MB';
  }
  function fileName(response, fallback) {
    var disposition = response.headers.get('content-disposition') || '';
    var match = /filename="([^"]+)"/.exec(disposition);
    return match ? match[1] : fallback;
  }
  document.querySelectorAll('[data-download-progress] a').forEach(function (link) {
    var wordings = link.closest('[data-download-progress]');
    var busy = false;
    link.addEventListener('click', function (event) {
      if (!window.fetch || !window.ReadableStream || busy) { return; }
      event.preventDefault();
      busy = true;
      var status = document.createElement('p');
      status.setAttribute('role', 'status');
      var bar = document.createElement('progress');
      bar.className = 'working';
      var words = document.createElement('span');
      status.append(bar, ' ', words);
      wordings.parentNode.insertBefore(status, wordings.nextSibling);
      var started = Date.now();
      var received = 0;
      function tick() {
        var seconds = Math.round((Date.now() - started) / 1000) + ' s';
        words.textContent = wordings.getAttribute('data-download-progress') + ' ' + seconds + (received ? ' · ' + size(received) : '');
      }
      tick();
      var timer = window.setInterval(tick, 1000);
      function finish(message) {
        window.clearInterval(timer);
        busy = false;
        if (message) { bar.remove(); words.textContent = message; } else { status.remove(); }
      }
      fetch(link.href, { credentials: 'same-origin' }).then(function (response) {
        if (!response.ok) { throw new Error(wordings.getAttribute('data-download-failed') || String(response.status)); }
        var total = Number(response.headers.get('content-length')) || 0;
        if (total) { bar.max = total; bar.value = 0; }
        var reader = response.body.getReader();
        var parts = [];
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return; }
            parts.push(chunk.value);
            received += chunk.value.length;
            if (total) { bar.value = received; }
            tick();
            return pump();
          });
        }
        return pump().then(function () {
          var file = new Blob(parts, { type: response.headers.get('content-type') || 'application/octet-stream' });
          var save = document.createElement('a');
          save.href = URL.createObjectURL(file);
          save.download = fileName(response, 'export');
          document.body.append(save);
          save.click();
          save.remove();
          window.setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
          finish(null);
        });
      }).catch(function (error) { finish(error.message); });
    });
  });
})();

// Dragging rows of a table marked `data-reorder="<url>"` (with `data-day` and `data-csrf`) into a new
// order: the order is posted as the rows' `data-plan-id`s and the page reloads with it. The arrow
// buttons in each row do the same one place at a time, without a mouse or this script.
(function () {
  'use strict';
  document.querySelectorAll('table[data-reorder]').forEach(function (table) {
    var body = table.tBodies[0];
    var dragged = null;
    body.addEventListener('dragstart', function (event) {
      dragged = event.target.closest('tr[data-plan-id]');
      if (!dragged) { return; }
      dragged.classList.add('dragging');
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged.getAttribute('data-plan-id'));
    });
    body.addEventListener('dragover', function (event) {
      var over = event.target.closest('tr[data-plan-id]');
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      body.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    body.addEventListener('drop', function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      dragged.classList.remove('dragging');
      dragged = null;
      var order = Array.prototype.map.call(body.querySelectorAll('tr[data-plan-id]'), function (row) {
        return row.getAttribute('data-plan-id');
      });
      var form = new URLSearchParams({ _csrf: table.getAttribute('data-csrf'), day: table.getAttribute('data-day'), plan_ids: order.join(',') });
      fetch(table.getAttribute('data-reorder'), { method: 'POST', credentials: 'same-origin', body: form })
        .then(function () { window.location.reload(); });
    });
    body.addEventListener('dragend', function () {
      if (dragged) { dragged.classList.remove('dragging'); dragged = null; }
    });
  });
})();

// The beat planner (`table[data-beat-planner="<url>"]`): a planned client dragged onto another person's
// day is posted there and the page reloads with it; a refusal is said in the page's alert line. Each
// client's Move link does the same without a mouse or this script.
(function () {
  'use strict';
  document.querySelectorAll('table[data-beat-planner]').forEach(function (table) {
    var dragged = null;
    var status = document.getElementById('beat-status');
    function cellOf(event) { return event.target.closest ? event.target.closest('td[data-day]') : null; }
    table.addEventListener('dragstart', function (event) {
      dragged = event.target.closest('[data-plan-id]');
      if (!dragged) { return; }
      dragged.classList.add('dragging');
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged.getAttribute('data-plan-id'));
    });
    table.addEventListener('dragover', function (event) {
      var cell = cellOf(event);
      if (!dragged || !cell) { return; }
      event.preventDefault();
      cell.classList.add('drop-here');
    });
    table.addEventListener('dragleave', function (event) {
      var cell = cellOf(event);
      if (cell) { cell.classList.remove('drop-here'); }
    });
    table.addEventListener('drop', function (event) {
      var cell = cellOf(event);
      if (!dragged || !cell) { return; }
      event.preventDefault();
      cell.classList.remove('drop-here');
      var form = new URLSearchParams({
        _csrf: table.getAttribute('data-csrf'), plan_id: dragged.getAttribute('data-plan-id'),
        person_id: cell.getAttribute('data-person'), day: cell.getAttribute('data-day'),
      });
      cell.querySelector('ol').appendChild(dragged);
      dragged.classList.remove('dragging');
      dragged = null;
      fetch(table.getAttribute('data-beat-planner'), { method: 'POST', credentials: 'same-origin', body: form })
        .then(function (response) {
          if (response.ok) { window.location.reload(); return; }
          status.textContent = status.getAttribute('data-failed');
          status.hidden = false;
        });
    });
    table.addEventListener('dragend', function () {
      if (dragged) { dragged.classList.remove('dragging'); dragged = null; }
    });
  });
})();
