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
