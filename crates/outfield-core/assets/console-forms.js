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
