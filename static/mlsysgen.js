/* mlsysgen default theme: small progressive enhancements. Plain ES2017, no dependencies.
 *
 *  - colour theme toggle (auto → light → dark), remembered in localStorage
 *  - copy buttons on code blocks
 *  - sidebar drawer on narrow screens
 *  - the page TOC placed under the current chapter in the sidebar, with a scroll-spy
 *  - sidenotes lined up with the line that cites them
 *  - full-text search over the site's own search.json (the only network request)
 *
 * Every feature checks that its elements exist, so any page (404, no code, no TOC) is fine.
 */
(function () {
  "use strict";

  var doc = document;
  var html = doc.documentElement;
  var THEME_KEY = "mlsysgen-theme";
  var THEMES = ["auto", "light", "dark"];
  var THEME_NAMES = { auto: "automatic", light: "light", dark: "dark" };
  var NARROW = "(max-width: 999.98px)";

  function $(sel, ctx) { return (ctx || doc).querySelector(sel); }
  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }
  function mq(query) { return window.matchMedia ? window.matchMedia(query) : { matches: false }; }
  function onChange(mql, fn) {
    if (!mql) return;
    if (mql.addEventListener) mql.addEventListener("change", fn);
    else if (mql.addListener) mql.addListener(fn);
  }
  function isEditable(el) {
    if (!el || el === doc.body) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* ------------------------------------------------------------ theme */

  function currentTheme() {
    var t = html.getAttribute("data-theme");
    return THEMES.indexOf(t) >= 0 ? t : "auto";
  }

  function labelThemeButtons() {
    var t = currentTheme();
    var next = THEMES[(THEMES.indexOf(t) + 1) % THEMES.length];
    $$(".theme-toggle").forEach(function (btn) {
      var label = "Colour theme: " + THEME_NAMES[t] + " (switch to " + THEME_NAMES[next] + ")";
      btn.setAttribute("aria-label", label);
      btn.setAttribute("title", label);
    });
  }

  function setTheme(t, remember) {
    html.setAttribute("data-theme", t);
    if (remember) {
      try {
        if (t === "auto") localStorage.removeItem(THEME_KEY);
        else localStorage.setItem(THEME_KEY, t);
      } catch (e) { /* private mode: the choice lasts for this page only */ }
    }
    labelThemeButtons();
  }

  function initTheme() {
    labelThemeButtons();
    $$(".theme-toggle").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var t = currentTheme();
        setTheme(THEMES[(THEMES.indexOf(t) + 1) % THEMES.length], true);
      });
    });
    // Keep other open tabs of the book in step.
    window.addEventListener("storage", function (e) {
      if (e.key === THEME_KEY) setTheme(e.newValue === "light" || e.newValue === "dark" ? e.newValue : "auto", false);
    });
  }

  /* ------------------------------------------------------------ copy buttons */

  function fallbackCopy(text) {
    return new Promise(function (resolve, reject) {
      var ta = doc.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.top = "-1000px";
      ta.style.opacity = "0";
      doc.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      doc.body.removeChild(ta);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function initCopyButtons() {
    doc.addEventListener("click", function (e) {
      var btn = e.target && e.target.closest ? e.target.closest(".code-copy") : null;
      if (!btn) return;
      var block = btn.closest(".code-block");
      var code = block ? (block.querySelector("pre code") || block.querySelector("pre")) : null;
      if (!code) return;
      var text = code.textContent.replace(/\n$/, "");
      var original = btn.getAttribute("data-label") || btn.textContent;
      btn.setAttribute("data-label", original);
      copyText(text).then(function () {
        btn.textContent = "Copied";
        btn.classList.add("is-copied");
      }, function () {
        btn.textContent = "Press Ctrl+C";
      }).then(function () {
        clearTimeout(btn._mlsysgenTimer);
        btn._mlsysgenTimer = setTimeout(function () {
          btn.textContent = original;
          btn.classList.remove("is-copied");
        }, 1600);
      });
    });
  }

  /* ------------------------------------------------------------ sidebar drawer */

  var sidebar = $("#sidebar");
  var menuButton = $(".menu-button");
  var backdrop = $(".sidebar-backdrop");

  function sidebarIsOpen() { return html.classList.contains("sidebar-open"); }

  function setSidebar(open, restoreFocus) {
    if (!sidebar) return;
    html.classList.toggle("sidebar-open", open);
    if (menuButton) menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (backdrop) backdrop.hidden = !open;
    if (open) {
      var cur = $('a[aria-current="page"]', sidebar) || $("a", sidebar);
      if (cur) {
        // Wait for the drawer to become visible (visibility transitions) before focusing.
        setTimeout(function () { try { cur.focus({ preventScroll: true }); } catch (e) { cur.focus(); } }, 30);
      }
    } else if (restoreFocus && menuButton) {
      menuButton.focus();
    }
  }

  function initSidebar() {
    if (!sidebar) return;
    if (menuButton) {
      menuButton.addEventListener("click", function () { setSidebar(!sidebarIsOpen(), true); });
    }
    if (backdrop) backdrop.addEventListener("click", function () { setSidebar(false, false); });
    sidebar.addEventListener("click", function (e) {
      var a = e.target && e.target.closest ? e.target.closest("a") : null;
      if (a && sidebarIsOpen()) setSidebar(false, false);
    });
    onChange(mq(NARROW), function (e) { if (!e.matches && sidebarIsOpen()) setSidebar(false, false); });
  }

  /* Bring the current chapter into view inside the (independently scrolling) sidebar. */
  function revealCurrentChapter() {
    if (!sidebar) return;
    var cur = $('a[aria-current="page"]', sidebar);
    if (!cur) return;
    var s = sidebar.getBoundingClientRect();
    var r = cur.getBoundingClientRect();
    if (s.height && (r.top < s.top || r.bottom > s.bottom - 48)) {
      sidebar.scrollTop += r.top - s.top - s.height / 4;
    }
  }

  /* ------------------------------------------------------------ page TOC */

  function placePageToc() {
    var toc = $(".page-toc-sidebar");
    if (!toc) return;
    var cur = sidebar ? $('a[aria-current="page"]', sidebar) : null;
    var li = cur ? cur.closest("li") : null;
    if (li) {
      li.appendChild(toc);
      toc.classList.add("is-nested");
    }
    toc.classList.add("is-placed");
  }

  function initPageTocInline() {
    $$(".page-toc-inline").forEach(function (det) {
      det.addEventListener("click", function (e) {
        var a = e.target && e.target.closest ? e.target.closest("a") : null;
        if (a) det.open = false;
      });
    });
  }

  function initScrollSpy() {
    var links = $$(".page-toc a[data-toc-id]");
    if (!links.length) return;
    var ids = [];
    links.forEach(function (a) {
      var id = a.getAttribute("data-toc-id");
      if (ids.indexOf(id) < 0) ids.push(id);
    });
    var targets = ids.map(function (id) { return doc.getElementById(id); }).filter(Boolean);
    if (!targets.length) return;
    var active = null;
    var ticking = false;

    function update() {
      ticking = false;
      // A section becomes current once its heading passes the top third of the window.
      var line = Math.max((parseFloat(getComputedStyle(html).scrollPaddingTop) || 72) + 24, window.innerHeight * 0.3);
      var current = null;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i].getBoundingClientRect().top <= line) current = targets[i].id;
        else break;
      }
      // At the very bottom of the page the last short sections can never reach the line.
      if ((window.innerHeight + window.scrollY) >= doc.documentElement.scrollHeight - 2) {
        current = targets[targets.length - 1].id;
      }
      if (current === active) return;
      active = current;
      links.forEach(function (a) {
        a.classList.toggle("is-active", a.getAttribute("data-toc-id") === current);
      });
      $$(".page-toc li.is-open").forEach(function (li) { li.classList.remove("is-open"); });
      links.forEach(function (a) {
        if (a.getAttribute("data-toc-id") !== current) return;
        for (var li = a.parentElement; li && !li.classList.contains("page-toc"); li = li.parentElement) {
          if (li.tagName === "LI") li.classList.add("is-open");
        }
      });
    }
    function onScroll() {
      if (!ticking) { ticking = true; window.requestAnimationFrame(update); }
    }
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll, { passive: true });
    update();
  }

  /* ------------------------------------------------------------ sidenotes */

  /* Without JavaScript a sidenote floats beside the block *after* the paragraph that cites it.
     Moving it next to its reference lines it up with the very line of the citation. */
  function placeSidenotes() {
    $$(".notes-margin .sidenote[id^='sn-']").forEach(function (note) {
      var ref = doc.getElementById("fnref-" + note.id.slice(3));
      if (!ref) return;
      var anchor = ref.closest("sup") || ref;
      if (!anchor.closest(".notes-margin")) return;
      if (!anchor.closest("p, li, dd, blockquote")) return;
      // Floats cannot escape these boxes (or would be clipped by them).
      if (anchor.closest("table, pre, caption, figcaption, summary, h1, h2, h3, h4, h5, h6, .math, .table-wrap, .sidenote, .column-margin, details:not(.callout)")) return;
      anchor.parentNode.insertBefore(note, anchor.nextSibling);
    });
  }

  function flash(el) {
    el.classList.add("is-flashed");
    clearTimeout(el._mlsysgenFlash);
    el._mlsysgenFlash = setTimeout(function () { el.classList.remove("is-flashed"); }, 1800);
  }

  function initFootnoteRefs() {
    doc.addEventListener("click", function (e) {
      var a = e.target && e.target.closest ? e.target.closest("sup.footnote-ref a, a[role='doc-noteref']") : null;
      if (!a) return;
      var href = a.getAttribute("href") || "";
      if (href.indexOf("#fn-") !== 0) return;
      var note = doc.getElementById("sn-" + href.slice(4));
      if (!note || note.offsetParent === null) return; // no visible sidenote: follow the link
      e.preventDefault();
      var r = note.getBoundingClientRect();
      if (r.top < 64 || r.bottom > window.innerHeight) {
        note.scrollIntoView({ block: "center", behavior: "smooth" });
      }
      flash(note);
    });
  }

  /* ------------------------------------------------------------ download menu */

  function initMenus() {
    var menus = $$("details.download-menu");
    if (!menus.length) return;
    doc.addEventListener("click", function (e) {
      menus.forEach(function (m) { if (m.open && !m.contains(e.target)) m.open = false; });
    });
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      menus.forEach(function (m) {
        if (m.open) {
          m.open = false;
          var s = $("summary", m);
          if (s) s.focus();
        }
      });
    });
  }

  /* ------------------------------------------------------------ print */

  function initPrint() {
    var reopened = [];
    window.addEventListener("beforeprint", function () {
      reopened = $$("details:not([open])");
      reopened.forEach(function (d) { d.open = true; });
    });
    window.addEventListener("afterprint", function () {
      reopened.forEach(function (d) { d.open = false; });
      reopened = [];
    });
  }

  /* ------------------------------------------------------------ search */

  var TOKEN_SOURCE = "[\\p{L}\\p{N}_]+";
  var TOKEN_FLAGS = "gu";
  try { new RegExp(TOKEN_SOURCE, TOKEN_FLAGS); } catch (e) {
    TOKEN_SOURCE = "[0-9A-Za-z_\\u00AA\\u00B5\\u00BA\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u1FFF\\u2C00-\\uD7FF\\uF900-\\uFFEF]+";
    TOKEN_FLAGS = "g";
  }
  function tokenRegExp() { return new RegExp(TOKEN_SOURCE, TOKEN_FLAGS); }

  function tokenize(text) {
    var out = [];
    var re = tokenRegExp();
    var s = String(text || "");
    var m;
    while ((m = re.exec(s)) !== null) out.push(m[0].toLowerCase());
    return out;
  }

  var MAX_RESULTS = 20;
  var MAX_PREFIX_TERMS = 400;
  var search = { promise: null, docs: null, postings: null, terms: null, failed: false, reason: "" };

  function searchRoot() { return (doc.body && doc.body.getAttribute("data-root")) || ""; }

  /* postings: Map term -> Map docIndex -> [titleCount, pageCount, textCount] */
  function buildIndex(docs) {
    var postings = new Map();
    function add(text, field, i) {
      tokenize(text).forEach(function (t) {
        var p = postings.get(t);
        if (!p) { p = new Map(); postings.set(t, p); }
        var f = p.get(i);
        if (!f) { f = [0, 0, 0]; p.set(i, f); }
        f[field] += 1;
      });
    }
    docs.forEach(function (d, i) {
      add(d.title, 0, i);
      add(d.page, 1, i);
      add(d.text, 2, i);
    });
    search.docs = docs;
    search.postings = postings;
    search.terms = Array.from(postings.keys()).sort();
  }

  function loadIndex() {
    if (search.promise) return search.promise;
    if (window.location.protocol === "file:" || typeof fetch !== "function") {
      // Browsers refuse fetch() on file:// pages; say so instead of logging a network error.
      search.failed = true;
      search.reason = "Search works when the book is served over HTTP (it cannot read files directly).";
      search.promise = Promise.resolve();
      return search.promise;
    }
    search.promise = fetch(searchRoot() + "search.json")
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        var docs = (data && Array.isArray(data.docs)) ? data.docs : (Array.isArray(data) ? data : []);
        buildIndex(docs);
      })
      .catch(function () {
        search.failed = true;
      });
    return search.promise;
  }

  function expandPrefix(prefix) {
    var terms = search.terms;
    var lo = 0, hi = terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (terms[mid] < prefix) lo = mid + 1; else hi = mid;
    }
    var out = [];
    for (var i = lo; i < terms.length && out.length < MAX_PREFIX_TERMS; i++) {
      if (terms[i].lastIndexOf(prefix, 0) !== 0) break;
      out.push(terms[i]);
    }
    return out;
  }

  function fieldScore(f, exact) {
    var s = 0;
    if (f[0]) s += 100;           // section title
    if (f[1]) s += 8;             // chapter title
    if (f[2]) s += 1 + Math.log(f[2]);
    return exact ? s : s * 0.85;  // a whole-word match beats a prefix match
  }

  function runQuery(query) {
    var words = tokenize(query);
    if (!words.length || !search.postings) return { words: words, prefix: "", hits: [] };
    var prefixLast = !/\s$/.test(query);
    var uniq = [];
    words.forEach(function (w) { if (uniq.indexOf(w) < 0) uniq.push(w); });
    var scores = null;
    for (var i = 0; i < uniq.length; i++) {
      var w = uniq[i];
      var isPrefix = prefixLast && w === words[words.length - 1];
      var candidates = isPrefix ? expandPrefix(w) : (search.postings.has(w) ? [w] : []);
      var best = new Map();
      candidates.forEach(function (t) {
        search.postings.get(t).forEach(function (f, d) {
          var s = fieldScore(f, t === w);
          if (s > (best.get(d) || 0)) best.set(d, s);
        });
      });
      if (scores === null) {
        scores = best;
      } else {
        var next = new Map();
        scores.forEach(function (s, d) {
          var s2 = best.get(d);
          if (s2 !== undefined) next.set(d, s + s2);
        });
        scores = next;
      }
      if (!scores.size) break;
    }
    var hits = [];
    if (scores) scores.forEach(function (s, d) { hits.push([d, s]); });
    hits.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return {
      words: uniq,
      prefix: prefixLast ? words[words.length - 1] : "",
      total: hits.length,
      hits: hits.slice(0, MAX_RESULTS).map(function (h) { return search.docs[h[0]]; })
    };
  }

  function makeMatcher(q) {
    var exact = new Set(q.words);
    return function (token) {
      return exact.has(token) || (q.prefix && token.lastIndexOf(q.prefix, 0) === 0);
    };
  }

  /* Escape text and wrap the tokens that match the query in <mark>. */
  function highlight(text, matches) {
    var re = tokenRegExp();
    var out = "";
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      if (matches(m[0].toLowerCase())) {
        out += escapeHtml(text.slice(last, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
        last = m.index + m[0].length;
      }
    }
    return out + escapeHtml(text.slice(last));
  }

  function snippet(text, matches) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    var LEN = 180;
    var re = tokenRegExp();
    var m, at = -1;
    while ((m = re.exec(text)) !== null) {
      if (matches(m[0].toLowerCase())) { at = m.index; break; }
    }
    var start = 0;
    if (at > 50) {
      start = text.lastIndexOf(" ", at - 40);
      start = start < 0 ? 0 : start + 1;
    }
    var end = Math.min(text.length, start + LEN);
    if (end < text.length) {
      var sp = text.lastIndexOf(" ", end);
      if (sp > at && sp > start + 60) end = sp;
    }
    return (start > 0 ? "… " : "") + highlight(text.slice(start, end), matches) + (end < text.length ? " …" : "");
  }

  var searchWidgetCount = 0;

  function initSearchWidget(input) {
    var widget = input.closest("[data-search]") || input.parentNode;
    var panel = $(".search-results", widget);
    var n = ++searchWidgetCount;
    if (!panel) {
      panel = doc.createElement("div");
      panel.className = "search-results";
      panel.setAttribute("role", "listbox");
      panel.hidden = true;
      widget.appendChild(panel);
    }
    if (!panel.id) panel.id = "search-results-" + n;
    input.setAttribute("aria-controls", panel.id);
    var activeIndex = -1;
    var timer = null;

    function options() { return $$(".search-result", panel); }

    function open() {
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      activeIndex = -1;
    }
    function status(msg) {
      panel.innerHTML = '<p class="search-status" role="status">' + escapeHtml(msg) + "</p>";
      open();
    }
    function setActive(i) {
      var opts = options();
      if (!opts.length) return;
      activeIndex = (i + opts.length) % opts.length;
      opts.forEach(function (o, k) { o.setAttribute("aria-selected", k === activeIndex ? "true" : "false"); });
      var cur = opts[activeIndex];
      input.setAttribute("aria-activedescendant", cur.id);
      if (cur.scrollIntoView) cur.scrollIntoView({ block: "nearest" });
    }

    function render() {
      var query = input.value;
      if (!query.trim()) { close(); return; }
      if (search.failed) { status(search.reason || "Search is unavailable: the search index could not be loaded."); return; }
      if (!search.postings) {
        status("Loading the search index…");
        loadIndex().then(render);
        return;
      }
      var q = runQuery(query);
      if (!q.words.length) { close(); return; }
      if (!q.hits.length) { status("No results for “" + query.trim() + "”"); return; }
      var matches = makeMatcher(q);
      var root = searchRoot();
      var items = q.hits.map(function (d, i) {
        var title = String(d.title || d.page || "");
        var page = String(d.page || "");
        var href = root + String(d.href || "");
        return '<li class="search-result" role="option" aria-selected="false" id="sr-' + n + "-" + i + '">' +
          '<a href="' + escapeHtml(href) + '" tabindex="-1">' +
          (page && page !== title ? '<span class="sr-page">' + escapeHtml(page) + "</span>" : "") +
          '<span class="sr-title">' + highlight(title, matches) + "</span>" +
          '<span class="sr-snippet">' + snippet(d.text, matches) + "</span>" +
          "</a></li>";
      });
      var more = q.total > q.hits.length ? " · showing the first " + q.hits.length + " of " + q.total : "";
      panel.innerHTML = '<ul role="presentation">' + items.join("") + "</ul>" +
        '<p class="search-footer" aria-hidden="true"><kbd>↑</kbd> <kbd>↓</kbd> to move · <kbd>Enter</kbd> to open · <kbd>Esc</kbd> to close' + more + "</p>";
      activeIndex = -1;
      input.removeAttribute("aria-activedescendant");
      open();
    }

    input.addEventListener("focus", function () {
      loadIndex();
      if (input.value.trim()) render();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 60);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "Down") {
        e.preventDefault();
        if (panel.hidden && input.value.trim()) render();
        setActive(activeIndex + 1);
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        e.preventDefault();
        setActive(activeIndex - 1);
      } else if (e.key === "Enter") {
        var opts = options();
        if (!opts.length || panel.hidden) return;
        e.preventDefault();
        var a = $("a", opts[activeIndex >= 0 ? activeIndex : 0]);
        if (a) { close(); window.location.href = a.href; }
      } else if (e.key === "Escape" || e.key === "Esc") {
        e.preventDefault();
        if (!panel.hidden) close();
        else { input.value = ""; input.blur(); }
      }
    });
    panel.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep focus in the box
    panel.addEventListener("click", function (e) {
      var a = e.target && e.target.closest ? e.target.closest("a") : null;
      if (a) close();
    });
    doc.addEventListener("mousedown", function (e) {
      if (!panel.hidden && !widget.contains(e.target)) close();
    });
    input.addEventListener("blur", function () {
      setTimeout(function () { if (doc.activeElement !== input) close(); }, 150);
    });
  }

  function initSearch() {
    var inputs = $$("#search-input, [data-search] input[type='search']");
    inputs = inputs.filter(function (el, i) { return inputs.indexOf(el) === i; });
    inputs.forEach(initSearchWidget);
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || isEditable(e.target)) return;
      var box = $("#search-input") || inputs[0];
      if (!box || box.offsetParent === null) return;
      e.preventDefault();
      box.focus();
      if (box.select) box.select();
    });
  }

  /* ------------------------------------------------------------ keyboard: Escape closes the drawer */

  function initEscape() {
    doc.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && sidebarIsOpen()) setSidebar(false, true);
    });
  }

  /* ------------------------------------------------------------ citation previews */

  // Hover or focus a citation: its reference entry (already on the page) appears beside it.
  function initCitationPreviews() {
    var tip = null;
    function hide() {
      if (tip && tip.parentNode) tip.parentNode.removeChild(tip);
      tip = null;
    }
    function show(link) {
      var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
      var entry = id ? doc.getElementById(id) : null;
      if (!entry) return;
      hide();
      tip = doc.createElement("div");
      tip.className = "cite-preview";
      tip.setAttribute("role", "tooltip");
      tip.innerHTML = entry.innerHTML;
      doc.body.appendChild(tip);
      var r = link.getBoundingClientRect();
      var width = Math.min(420, window.innerWidth - 24);
      tip.style.width = width + "px";
      tip.style.left = Math.max(12, Math.min(r.left + window.scrollX, window.scrollX + window.innerWidth - width - 12)) + "px";
      tip.style.top = (r.bottom + window.scrollY + 6) + "px";
    }
    doc.querySelectorAll('.citation a[href^="#"]').forEach(function (link) {
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("mouseleave", hide);
      link.addEventListener("blur", hide);
    });
    doc.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  }

  /* ------------------------------------------------------------ start */

  function start() {
    var steps = [initTheme, initCopyButtons, initSidebar, placePageToc, revealCurrentChapter,
      initPageTocInline, initScrollSpy, placeSidenotes, initFootnoteRefs, initMenus, initPrint,
      initSearch, initEscape, initCitationPreviews];
    steps.forEach(function (step) {
      try { step(); } catch (err) {
        // One broken feature must not take the others down.
        if (window.console && console.warn) console.warn("mlsysgen: " + (step.name || "init") + " failed", err);
      }
    });
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
