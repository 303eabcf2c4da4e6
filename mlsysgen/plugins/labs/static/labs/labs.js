/* mlsysgen labs: Run and Reset for lab snippets (the labs plugin's in-browser part).
 *
 * The page as built already shows each lab's code and the output captured when the book was
 * built; this script only enhances it. For every `.lab` whose data-run allows the browser it
 * adds Run and Reset buttons and a status line (an aria-live region). Run turns the code into
 * a <textarea>, runs it in a Web Worker and replaces the output as it arrives; Reset puts the
 * build-time code and output back.
 *
 *  - MicroPython (data-lab="micropython"): a fresh module worker per run, on the wasm port
 *    the site ships in static/labs/micropython/, with the board's mock modules from
 *    static/labs/boards/<board>.json. Works offline.
 *  - TinyTorch (data-lab="tinytorch"): one Pyodide worker per page, loaded from data-pyodide
 *    on the first Run and reused; numpy comes from there too, so offline it cannot load and
 *    the build-time output stays, with a note saying why.
 *
 * A run longer than data-timeout seconds is stopped with terminate(): without cross-origin
 * isolation there is no other way to interrupt a busy interpreter. Labs of one data-session
 * share a namespace: Run on a later block first runs the earlier ones, in page order.
 */
(function () {
  "use strict";

  const doc = document;
  const WORKER_SCRIPTS = { micropython: "worker-micropython.js", tinytorch: "worker-pyodide.js" };
  const RUNTIME_NAMES = { micropython: "MicroPython", tinytorch: "Python (Pyodide)" };
  // Seconds a run may take when the lab names no data-timeout.
  const DEFAULT_TIMEOUT_S = { micropython: 5, tinytorch: 30 };
  // Seconds to start an interpreter: Pyodide is ~10 MB plus numpy on the first Run.
  const LOAD_TIMEOUT_S = { micropython: 30, tinytorch: 300 };
  const INDENT = "    ";
  // Said when Pyodide, or a package it fetches (numpy, matplotlib), cannot be loaded: offline,
  // or the CDN blocked.
  function packageMissing(name, hasBuildOutput) {
    return "Could not load " + name + " (offline?) — " +
      (hasBuildOutput ? "the output shown is from the book's build." : "Run needs it, and this lab has no output from the book's build.");
  }

  const labs = new Map(); // .lab element → state, for the labs this script enhanced

  function siteRoot() {
    // data-root is "" on top-level pages: resolve "./" so the page's own name drops out.
    return new URL(doc.body.getAttribute("data-root") || "./", doc.baseURI).href;
  }

  function el(tag, className, text) {
    const node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function codeText(labEl) {
    const code = labEl.querySelector(".lab-code pre code") || labEl.querySelector(".lab-code pre");
    return code ? code.textContent.replace(/\n$/, "") : "";
  }

  function seconds(value, fallback) {
    const n = parseFloat(value);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  }

  function formatSeconds(s) {
    return (Math.round(s * 100) / 100).toString();
  }

  function sentence(text) {
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function formatElapsed(s) {
    return s < 1 ? Math.max(1, Math.round(s * 1000)) + " ms" : formatSeconds(s) + " s";
  }

  /* ------------------------------------------------------------ setup */

  function whyNoRun() {
    if (location.protocol === "file:") {
      return "Run needs the book served over http(s) (it is opened from a file); the output shown was produced when the book was built.";
    }
    if (typeof Worker === "undefined") {
      return "Run needs a browser with Web Workers; the output shown was produced when the book was built.";
    }
    return "";
  }

  function enhance(labEl) {
    const kind = labEl.getAttribute("data-lab");
    const mode = labEl.getAttribute("data-run") || "both";
    if (!WORKER_SCRIPTS[kind] || mode === "build" || mode === "none") return;
    const reason = whyNoRun();
    if (reason) {
      showNote(labEl, reason);
      return;
    }
    const lab = {
      el: labEl,
      kind: kind,
      saved: save(labEl),
      editor: null,
      run: null, // the run in progress: { stop() }
    };
    addControls(lab);
    labEl.classList.add("lab-enhanced");
    labs.set(labEl, lab);
  }

  // The note is hidden by CSS when scripts run; show it again, saying why Run is missing.
  function showNote(labEl, text) {
    let note = labEl.querySelector(".lab-norun");
    if (!note) {
      note = el("p", "lab-norun");
      labEl.appendChild(note);
    }
    note.textContent = text;
    note.classList.add("is-shown");
  }

  // Copies of the build-time code and output, for Reset (and to know what the build showed).
  function save(labEl) {
    const code = labEl.querySelector(".lab-code");
    const output = labEl.querySelector(".lab-output");
    const stdout = output && output.querySelector(".lab-stdout");
    const shown = !!output && !output.hidden &&
      ((!!stdout && stdout.textContent.trim() !== "") || !!output.querySelector(".lab-figure"));
    return {
      code: codeText(labEl),
      codeBlock: code ? code.cloneNode(true) : null,
      output: output ? output.cloneNode(true) : null,
      outputShown: shown,
    };
  }

  function addControls(lab) {
    const bar = el("div", "lab-controls");
    const run = el("button", "lab-button lab-run-button");
    run.type = "button";
    run.innerHTML = '<svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12"><path d="M4 2.5v11l9-5.5z" fill="currentColor"/></svg>';
    run.appendChild(doc.createTextNode("Run"));
    run.title = "Run this code in your browser (Ctrl+Enter in the editor)";
    const reset = el("button", "lab-button lab-reset-button", "Reset");
    reset.type = "button";
    reset.title = "Restore the code and output from the book's build";
    reset.disabled = true;
    const status = el("p", "lab-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    bar.append(run, reset, status);
    const code = lab.el.querySelector(".lab-code");
    if (code) code.after(bar);
    else lab.el.prepend(bar);
    run.addEventListener("click", function () { runLab(lab); });
    reset.addEventListener("click", function () { resetLab(lab); });
    lab.controls = { run: run, reset: reset, status: status };
  }

  function setStatus(lab, text, kind) {
    lab.controls.status.textContent = text;
    lab.controls.status.setAttribute("data-kind", kind || "info");
  }

  /* ------------------------------------------------------------ the editor */

  function openEditor(lab) {
    if (lab.editor) return lab.editor;
    const pre = lab.el.querySelector(".lab-code pre");
    const editor = el("textarea", "lab-editor");
    editor.value = lab.saved.code;
    editor.spellcheck = false;
    editor.setAttribute("wrap", "off");
    editor.setAttribute("autocapitalize", "off");
    editor.setAttribute("autocomplete", "off");
    editor.setAttribute("aria-label", "Code of the lab, editable. Tab indents; press Escape, then Tab, to leave the editor; Ctrl+Enter runs.");
    fitEditor(editor);
    editor.addEventListener("input", function () {
      fitEditor(editor);
      // The hidden <pre> stays the copy button's source, so Copy copies the edited code.
      const code = pre && (pre.querySelector("code") || pre);
      if (code) code.textContent = editor.value + "\n";
    });
    editor.addEventListener("keydown", function (e) { onEditorKey(lab, editor, e); });
    if (pre) {
      pre.hidden = true;
      pre.after(editor);
    } else {
      lab.el.querySelector(".lab-code").appendChild(editor);
    }
    lab.editor = editor;
    return editor;
  }

  function fitEditor(editor) {
    editor.rows = Math.max(2, editor.value.split("\n").length);
  }

  function onEditorKey(lab, editor, e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runLab(lab);
      return;
    }
    if (e.key === "Escape") {
      // WCAG 2.1.2 (no keyboard trap): after Escape, Tab moves focus as usual.
      editor.dataset.tabLeaves = "1";
      return;
    }
    if (e.key !== "Tab" || e.ctrlKey || e.altKey || e.metaKey || editor.dataset.tabLeaves) {
      if (e.key !== "Shift") delete editor.dataset.tabLeaves;
      return;
    }
    e.preventDefault();
    if (e.shiftKey) dedent(editor);
    else insertText(editor, INDENT);
  }

  // execCommand keeps the browser's undo history; setRangeText is the fallback where it is gone.
  function insertText(editor, text) {
    if (!doc.execCommand || !doc.execCommand("insertText", false, text)) {
      editor.setRangeText(text, editor.selectionStart, editor.selectionEnd, "end");
      editor.dispatchEvent(new Event("input"));
    }
  }

  function dedent(editor) {
    const value = editor.value;
    const lineStart = value.lastIndexOf("\n", editor.selectionStart - 1) + 1;
    const spaces = /^ {0,4}/.exec(value.slice(lineStart))[0].length;
    if (!spaces) return;
    editor.setSelectionRange(lineStart, lineStart + spaces);
    insertText(editor, "");
  }

  function currentCode(labEl) {
    const lab = labs.get(labEl);
    return lab && lab.editor ? lab.editor.value : codeText(labEl);
  }

  /* ------------------------------------------------------------ running */

  // What to execute, in order: the earlier labs of the session (their output not shown),
  // then this lab; each lab's hidden setup code (.lab-setup) goes right before it.
  function chunksFor(lab) {
    const chunks = [];
    const session = lab.el.getAttribute("data-session");
    if (session) {
      for (const other of doc.querySelectorAll(".lab")) {
        if (other === lab.el) break;
        if (other.getAttribute("data-session") === session &&
            other.getAttribute("data-lab") === lab.kind &&
            other.getAttribute("data-run") !== "none") {
          addChunks(chunks, other, false);
        }
      }
    }
    addChunks(chunks, lab.el, true);
    return chunks;
  }

  // A chunk: { code, name (for tracebacks), show (its output), simulate (its lab's frame
  // budget), startsLab (the budget is set before it), expectError (an earlier lab whose build
  // output is an error, as the author expected: the chain goes on after it) }.
  function addChunks(chunks, labEl, show) {
    const id = labEl.id || "lab";
    const simulate = parseInt(labEl.getAttribute("data-simulate") || "0", 10) || 0;
    const output = labEl.querySelector(".lab-output");
    const expectError = !show && !!output && output.getAttribute("data-status") === "error";
    const setup = labEl.querySelector(".lab-setup");
    if (setup && setup.textContent.trim()) {
      chunks.push({ code: setup.textContent, name: id + " (setup)", show: false, simulate: simulate,
        startsLab: true, expectError: false });
    }
    chunks.push({ code: currentCode(labEl), name: id, show: show, simulate: simulate,
      startsLab: !(setup && setup.textContent.trim()), expectError: expectError });
  }

  function runLab(lab) {
    if (lab.run) return;
    openEditor(lab);
    const timeout = seconds(lab.el.getAttribute("data-timeout"), DEFAULT_TIMEOUT_S[lab.kind]);
    const request = {
      root: siteRoot(),
      chunks: chunksFor(lab),
      board: lab.el.getAttribute("data-board") || "",
      pyodide: lab.kind === "tinytorch" ? pyodideURL(lab.el) : "",
    };
    // aria-disabled, not disabled: a disabled button drops the keyboard focus.
    lab.controls.run.setAttribute("aria-disabled", "true");
    lab.controls.reset.disabled = false;
    lab.el.setAttribute("aria-busy", "true");
    setStatus(lab, "Starting " + RUNTIME_NAMES[lab.kind] + "…");
    const view = outputView(lab);
    const runner = lab.kind === "micropython" ? runMicroPython : runPyodide;
    runner(lab, request, timeout, view).catch(function (error) {
      // new Worker() throws where module workers are refused (e.g. a sandboxed frame).
      return { state: "failed", message: "Could not start " + RUNTIME_NAMES[lab.kind] + ": " + error.message };
    }).then(function (result) {
      finishRun(lab, view, result);
    });
  }

  // Results of a run, passed to finishRun: { state: "ok"|"error"|"timeout"|"failed"|
  // "missing"|"stopped", message, figures, elapsed, name (of the missing package) }.
  function finishRun(lab, view, result) {
    lab.run = null;
    lab.el.removeAttribute("aria-busy");
    lab.controls.run.removeAttribute("aria-disabled");
    if (result.state === "stopped") return;
    if (result.state === "missing") {
      // The build-time output was never touched; it is what the reader should see.
      setStatus(lab, packageMissing(result.name, lab.saved.outputShown), "warning");
      return;
    }
    if (result.state === "failed") {
      setStatus(lab, sentence(result.message) + (lab.saved.outputShown ? " The output shown is from the book's build." : ""), "error");
      return;
    }
    (result.figures || []).forEach(function (svg, i) { view.figure(svg, i); });
    if (result.state === "ok") {
      view.finish("ok");
      setStatus(lab, "Ran in your browser in " + formatElapsed(result.elapsed) + ".", "ok");
    } else {
      if (result.message) view.error(result.message);
      view.finish("error");
      setStatus(lab, result.state === "timeout" ? result.message : "The code raised an error (shown in the output).", "error");
    }
  }

  function resetLab(lab) {
    if (lab.run) lab.run.stop();
    restore(lab.el.querySelector(".lab-code"), lab.saved.codeBlock);
    lab.editor = null;
    const output = lab.el.querySelector(".lab-output");
    if (lab.saved.output) restore(output, lab.saved.output);
    else if (output) output.remove();
    lab.controls.reset.disabled = true;
    setStatus(lab, "Restored the code and output from the book's build.");
    lab.controls.run.focus();
  }

  function restore(current, saved) {
    if (current && saved) current.replaceWith(saved.cloneNode(true));
  }

  /* ------------------------------------------------------------ the output box */

  // The run's output replaces the build's only once the code starts executing, so a run that
  // cannot start (numpy offline) leaves the build-time output in place.
  function outputView(lab) {
    let pre = null;
    let output = null;
    function begin() {
      if (pre) return;
      output = lab.el.querySelector(".lab-output");
      if (!output) {
        output = el("div", "lab-output");
        lab.el.querySelector(".lab-controls").after(output);
      }
      output.innerHTML = "";
      output.hidden = false;
      output.setAttribute("data-status", "running");
      // output="collapse" builds a <details>: its label is the <summary>, and it opens.
      const details = output.tagName === "DETAILS";
      output.appendChild(el(details ? "summary" : "p", "lab-output-label", "Output (run in your browser)"));
      if (details) output.open = true;
      pre = el("pre", "lab-stdout");
      output.appendChild(pre);
    }
    return {
      begin: begin,
      stdout: function (text) { begin(); pre.appendChild(doc.createTextNode(text)); },
      stderr: function (text) { begin(); pre.appendChild(el("span", "lab-stderr", text)); },
      error: function (text) {
        begin();
        const sep = pre.textContent && !pre.textContent.endsWith("\n") ? "\n" : "";
        pre.appendChild(el("span", "lab-error", sep + text.replace(/\n$/, "")));
      },
      figure: function (svg, i) {
        begin();
        const figure = el("figure", "lab-figure");
        const img = el("img");
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
        img.alt = "Figure " + (i + 1) + " drawn by your run";
        figure.appendChild(img);
        output.appendChild(figure);
      },
      finish: function (state) {
        begin();
        if (!pre.firstChild && !output.querySelector(".lab-figure")) {
          pre.appendChild(el("span", "lab-empty", "(no output)"));
        }
        output.setAttribute("data-status", state);
      },
    };
  }

  /* ------------------------------------------------------------ workers */

  // Runs `request` on `worker`: forwards its messages to `view`, enforces the load and run
  // timeouts, and resolves with the result. `onEnd(terminated)` tidies up the worker.
  function drive(lab, worker, request, timeout, view, onEnd) {
    return new Promise(function (resolve) {
      let timer = null;
      let started = 0;
      let over = false;
      function end(result, terminate) {
        if (over) return;
        over = true;
        clearTimeout(timer);
        worker.onmessage = null;
        worker.onerror = null;
        if (terminate) worker.terminate();
        onEnd(terminate);
        resolve(result);
      }
      function arm(limit, result) {
        clearTimeout(timer);
        timer = setTimeout(function () { end(result(), true); }, limit * 1000);
      }
      const loadLimit = LOAD_TIMEOUT_S[lab.kind];
      arm(loadLimit, function () {
        return { state: "failed", message: "Could not start " + RUNTIME_NAMES[lab.kind] + " within " + loadLimit + " s (slow or no network?)." };
      });
      lab.run = { stop: function () { end({ state: "stopped" }, true); } };
      worker.onerror = function (e) {
        e.preventDefault();
        end({ state: "failed", message: "Could not start " + RUNTIME_NAMES[lab.kind] + (e.message ? ": " + e.message : "") + "." }, true);
      };
      worker.onmessage = function (e) {
        const m = e.data;
        if (m.type === "status") setStatus(lab, m.text);
        else if (m.type === "ready") {
          started = performance.now();
          view.begin();
          setStatus(lab, "Running…");
          arm(timeout, function () { return { state: "timeout", message: "Timed out after " + formatSeconds(timeout) + " s" }; });
        } else if (m.type === "stdout") view.stdout(m.text);
        else if (m.type === "stderr") view.stderr(m.text);
        else if (m.type === "done") {
          end({ state: m.error ? "error" : "ok", message: m.error || "", figures: m.figures, elapsed: (performance.now() - started) / 1000 }, false);
        } else if (m.type === "missing") end({ state: "missing", name: m.name }, false);
        else if (m.type === "failed") end({ state: "failed", message: m.message }, false);
      };
      worker.postMessage(request);
    });
  }

  // labs.pyodide_url may be relative to the page, or lack its final slash.
  function pyodideURL(labEl) {
    const url = new URL(labEl.getAttribute("data-pyodide") || "", doc.baseURI).href;
    return url.endsWith("/") ? url : url + "/";
  }

  function workerURL(kind) {
    return siteRoot() + "static/labs/" + WORKER_SCRIPTS[kind];
  }

  // A fresh interpreter per run: MicroPython starts in milliseconds, and a clean heap and
  // mock state make every run behave like the build's.
  function runMicroPython(lab, request, timeout, view) {
    const worker = new Worker(workerURL("micropython"), { type: "module" });
    return drive(lab, worker, request, timeout, view, function (terminated) {
      if (!terminated) worker.terminate();
    });
  }

  // One Pyodide worker per page, kept between runs (loading it takes seconds); runs take
  // turns on it. A terminated worker (timeout, Reset) is replaced on the next Run.
  let pyodideWorker = null;
  let pyodideQueue = Promise.resolve();
  let pyodideBusy = false;

  function runPyodide(lab, request, timeout, view) {
    let withdraw = null;
    let isWithdrawn = false;
    const withdrawn = new Promise(function (resolve) { withdraw = resolve; });
    // Until its turn comes, Reset withdraws the run at once; drive() then replaces this.
    lab.run = { stop: function () { isWithdrawn = true; withdraw({ state: "stopped" }); } };
    if (pyodideBusy) setStatus(lab, "Waiting for another lab's run to finish…");
    const turn = pyodideQueue.then(function () {
      if (isWithdrawn) return { state: "stopped" };
      if (!pyodideWorker) pyodideWorker = new Worker(workerURL("tinytorch"), { type: "module" });
      const worker = pyodideWorker;
      pyodideBusy = true;
      return drive(lab, worker, request, timeout, view, function (terminated) {
        pyodideBusy = false;
        if (terminated && pyodideWorker === worker) pyodideWorker = null;
      });
    });
    pyodideQueue = turn.catch(function () {});
    return Promise.race([turn, withdrawn]);
  }

  function init() {
    doc.querySelectorAll(".lab[data-lab]").forEach(enhance);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
