// On a phone every console table becomes a list of cards (console.css): each cell then shows its column's
// heading beside its value. This names each cell after its column once the page is read; cells the page
// already names keep their own label. Without this script the cards still show every value.
(function () {
  'use strict';
  document.querySelectorAll('.table-wrap table').forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    var headings = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) { headings.push(cell.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr, tfoot tr'), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (cell.tagName === 'TD' && !cell.hasAttribute('data-label') && headings[column]) {
          cell.setAttribute('data-label', headings[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  });
}());

// A table marked `sortable` sorts by a column when its heading is pressed (again for the other way): by
// each cell's `data-sort` when it has one, else its text, numbers as numbers. Rows in the foot (totals)
// stay where they are.
(function () {
  'use strict';
  function key(cell) {
    var raw = cell ? (cell.getAttribute('data-sort') || cell.textContent).trim() : '';
    var number = parseFloat(raw.replace(/[^0-9.\-]/g, ''));
    return /^-?[0-9]/.test(raw.replace(/[^0-9.\-]/g, '')) && !/[A-Za-z\u0900-\u097F]/.test(raw.split(' ')[0]) ? number : raw.toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    var body = table.tBodies[0];
    if (!head || !body) { return; }
    Array.prototype.forEach.call(head.cells, function (th, column) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(head.cells, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]);
          var y = key(b.cells[column]);
          var order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
}());
