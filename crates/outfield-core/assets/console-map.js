// Draws Outfield's map data (the page's #map-data JSON block) on a Leaflet map in #map.
// Kinds: "live" (latest fix per person on duty, refreshed every 30 seconds from the page itself, so the
// map and the table stay what the server renders), "day" (a person's trail from its start to its end,
// stops, visits, clients), "client" (one client with the check-in radius) and "clients" (the clients of
// a filter, as pins or numbered clusters, asked anew from the server for each view the map is moved to).
(function () {
  "use strict";
  var block = document.getElementById("map-data");
  var element = document.getElementById("map");
  if (!block || !element || !window.L) return;
  var data = JSON.parse(block.textContent);
  var map = L.map(element, { zoomSnap: 0.5, zoomControl: false });
  if (data.tiles && data.tiles.url) {
    L.tileLayer(data.tiles.url, { maxZoom: 19, attribution: data.tiles.attribution }).addTo(map);
  } else {
    element.classList.add("no-tiles");
  }
  var bounds = [];
  function at(lat, lon) { bounds.push([lat, lon]); return [lat, lon]; }
  var colours = { verified: "#1b7f3b", out_of_range: "#b3261e", unverified: "#8a6d00" };

  function text(value) { return String(value == null ? "" : value).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function word(english, value) {
    var wording = (data.words && data.words[english]) || english;
    return value === undefined ? wording : wording.replace("{}", value);
  }
  L.control.zoom({ zoomInTitle: word("Zoom in"), zoomOutTitle: word("Zoom out") }).addTo(map);
  function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  var people = L.layerGroup().addTo(map);
  function drawLive(live) {
    people.clearLayers();
    live.people.forEach(function (p) {
      if (!p.last_fix) return;
      var f = p.last_fix;
      var label = "<strong>" + text(p.name) + "</strong><br>" + text(word("last seen")) + " " + clock(Date.parse(f.at)) +
        (f.battery != null ? "<br>" + text(word("battery")) + " " + Math.round(f.battery * 100) + "%" : "") +
        (p.flags.length ? "<br>" + text(word("flags")) + ": " + text(p.flags.map(function (flag) { return (live.flag_words && live.flag_words[flag]) || flag; }).join(", ")) : "");
      L.circle(at(f.latitude, f.longitude), { radius: f.accuracy_m, weight: 1, fillOpacity: 0.1 }).addTo(people);
      L.circleMarker([f.latitude, f.longitude], { radius: 8, color: p.flags.length ? "#b3261e" : "#0b57d0",
        fillOpacity: 0.9 }).bindTooltip(text(p.name), { permanent: true, direction: "auto" })
        .bindPopup(label).addTo(people);
    });
  }

  // Fetches the page again and takes its map data and table; the view the person chose stays.
  function refreshLive() {
    if (document.hidden) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshData = fresh.getElementById("map-data");
        if (!freshData) return;
        drawLive(JSON.parse(freshData.textContent));
        // The live map page also has the table of the same people; the overview's small map has not.
        var freshTable = fresh.querySelector(".table-wrap");
        var table = document.querySelector(".table-wrap");
        if (freshTable && table) table.innerHTML = freshTable.innerHTML;
        var status = document.getElementById("live-status");
        if (status) status.textContent = word("Updated at {}; the map updates by itself every 30 seconds.", clock(Date.now()));
      })
      .catch(function () {
        var status = document.getElementById("live-status");
        if (status) status.textContent = word("Could not update at {}; trying again in 30 seconds.", clock(Date.now()));
      });
  }

  if (data.kind === "live") {
    drawLive(data);
    window.setInterval(refreshLive, 30000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshLive(); });
  }

  if (data.kind === "day") {
    var line = data.trail.map(function (f) { return at(f[0], f[1]); });
    if (line.length) {
      L.polyline(line, { color: "#0b57d0", weight: 4, opacity: 0.8 }).addTo(map);
      var first = data.trail[0], last = data.trail[data.trail.length - 1];
      L.circleMarker([first[0], first[1]], { radius: 9, color: "#1b7f3b", fillOpacity: 1 })
        .bindTooltip(data.start_label, { permanent: true, direction: "left" }).addTo(map);
      L.circleMarker([last[0], last[1]], { radius: 9, color: "#1a1f24", fillOpacity: 1 })
        .bindTooltip(data.end_label, { permanent: true, direction: "right" })
        .addTo(map);
      // Which way the trail runs: a small dot a little before every tenth position, pointing on.
      for (var k = 10; k < data.trail.length; k += 10) {
        var a = data.trail[k - 1], b = data.trail[k];
        L.polyline([[a[0], a[1]], [b[0], b[1]]], { color: "#1a1f24", weight: 7, opacity: 0.7 }).addTo(map);
      }
    }
    data.gaps.forEach(function (g) {
      var from = data.trail.filter(function (f) { return f[2] === g.from; })[0];
      var until = data.trail.filter(function (f) { return f[2] === g.until; })[0];
      if (from && until) L.polyline([[from[0], from[1]], [until[0], until[1]]],
        { color: "#8a6d00", weight: 3, dashArray: "6 8" }).bindTooltip(word("tracking gap")).addTo(map);
    });
    data.stops.forEach(function (s) {
      L.circleMarker(at(s.latitude, s.longitude), { radius: 7, color: "#5f3dc4", fillOpacity: 0.6 })
        .bindPopup(word("Stop") + " " + clock(s.from) + "–" + clock(s.until)).addTo(map);
    });
    data.clients.forEach(function (c) {
      L.circle(at(c.latitude, c.longitude), { radius: data.radius_m, color: "#555", weight: 1, fillOpacity: 0.05 })
        .bindTooltip(text(c.name)).addTo(map);
    });
    data.visits.forEach(function (v) {
      if (v.latitude == null) return;
      L.circleMarker(at(v.latitude, v.longitude), { radius: 9, color: colours[v.verdict] || "#555", fillOpacity: 0.9 })
        .bindPopup("<strong>" + text(v.client) + "</strong><br>" + text(v.verdict_label) +
          (v.distance_m != null ? " (" + Math.round(v.distance_m) + " m)" : "")).addTo(map);
    });
  }

  if (data.kind === "client") {
    data.clients.forEach(function (c) {
      L.circle(at(c.latitude, c.longitude), { radius: data.radius_m, color: "#0b57d0", weight: 1, fillOpacity: 0.08 }).addTo(map);
      L.circleMarker([c.latitude, c.longitude], { radius: 8, color: "#0b57d0", fillOpacity: 0.9 })
        .bindTooltip(text(c.name), { permanent: true, direction: "auto" }).addTo(map);
    });
  }

  // The clients of a filter: a pin per client with a link in its popup, or a numbered circle per
  // cluster that zooms in when clicked. The table under the map lists the view's clients.
  var clients = L.layerGroup().addTo(map);
  function drawClients(view, status) {
    clients.clearLayers();
    var rows = [];
    view.points.forEach(function (p) {
      if (!p.id) {
        var radius = 10 + 4 * Math.log10(p.count);
        L.circleMarker([p.latitude, p.longitude], { radius: radius, color: "#0b57d0", weight: 2, fillOpacity: 0.75 })
          .bindTooltip(String(p.count), { permanent: true, direction: "center", className: "cluster-count" })
          .on("click", function () { map.setView([p.latitude, p.longitude], map.getZoom() + 2); })
          .addTo(clients);
        return;
      }
      var type = (data.type_words && data.type_words[p.client_type]) || p.client_type || "";
      var link = '<a href="/console/clients/' + encodeURIComponent(p.id) + '">' + text(p.name) + "</a>";
      L.circleMarker([p.latitude, p.longitude], { radius: 7, color: "#1b7f3b", fillOpacity: 0.9 })
        .bindTooltip(text(p.name)).bindPopup("<strong>" + link + "</strong><br>" + text(type)).addTo(clients);
      rows.push("<tr><td>" + link + "</td><td>" + text(type) + "</td></tr>");
    });
    var body = document.querySelector("#map-clients tbody");
    if (body) body.innerHTML = rows.join("");
    var line = document.getElementById("map-status");
    if (line && status) line.textContent = status;
  }

  // Asks for the points of the view shown; an answer to an older view is dropped.
  var asked = 0;
  function refreshClients() {
    var b = map.getBounds(), mine = ++asked;
    var url = data.points_url + (data.points_url.indexOf("?") < 0 ? "?" : "&") + [
      "south=" + b.getSouth().toFixed(5), "west=" + b.getWest().toFixed(5),
      "north=" + b.getNorth().toFixed(5), "east=" + b.getEast().toFixed(5)].join("&");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (answer) { if (mine === asked) drawClients(answer.view, answer.status); })
      .catch(function () { /* the map keeps the last view's points */ });
  }

  if (data.kind === "clients") {
    drawClients(data.view);
    var area = data.view.area;
    if (area) {
      at(area.south, area.west);
      at(area.north, area.east);
    }
    var waiting;
    map.on("moveend", function () { window.clearTimeout(waiting); waiting = window.setTimeout(refreshClients, 250); });
  }

  // The add-client form's map: a tap (or a drag of the pin) places the client and fills in the form's
  // latitude and longitude; coordinates typed into the form move the pin.
  if (data.kind === "picker") {
    var latitude = document.getElementById("latitude"), longitude = document.getElementById("longitude");
    var pin = null;
    var place = function (point, typed) {
      if (!pin) {
        pin = L.marker(point, { draggable: true, title: word("Client's position") }).addTo(map);
        pin.on("dragend", function () { place(pin.getLatLng(), false); });
      }
      pin.setLatLng(point);
      if (!typed) {
        latitude.value = point.lat.toFixed(6);
        longitude.value = point.lng.toFixed(6);
      }
    };
    map.on("click", function (event) { place(event.latlng, false); });
    var typed = function () {
      var lat = parseFloat(latitude.value), lng = parseFloat(longitude.value);
      if (isFinite(lat) && isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
        place(L.latLng(lat, lng), true);
        map.panTo([lat, lng]);
      }
    };
    latitude.addEventListener("change", typed);
    longitude.addEventListener("change", typed);
    if (data.center) map.setView(data.center, 12); else map.setView([20.59, 78.96], 5);
    typed();
  } else if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  } else {
    map.setView([20.59, 78.96], 5);
  }
})();
