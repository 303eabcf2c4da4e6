/* mlsysgen labs: one MicroPython run in a module worker (started by labs.js, one per run).
 *
 * Request: { root, board, chunks: [{ code, name, show, simulate, startsLab, expectError }] }
 * (see labs.js). The worker loads the site's vendored wasm port (static/labs/micropython/),
 * writes the board's mock modules (static/labs/boards/<board>.json) into /lib, runs the
 * chunks in one __main__ with each lab's frame budget set first, and reports: status, ready
 * (execution starts), stdout/stderr (streamed per line), then done { error } or failed
 * { message }. A SystemExit ends a lab normally: that is how the mocks stop a camera loop
 * whose frame budget is spent, as in the build's node runner (node/simulate.mjs).
 */

const MAX_OUTPUT_CHARS = 64 * 1024; // what a page can show usefully; a print loop can be endless
const HEAP_BYTES = 4 * 1024 * 1024; // the build's node runner uses the same heap

let sent = 0;
let showing = false;
let cut = false;

function post(message) {
  self.postMessage(message);
}

function emit(type, text) {
  if (!showing || cut) return;
  if (sent + text.length > MAX_OUTPUT_CHARS) {
    text = text.slice(0, MAX_OUTPUT_CHARS - sent) + "\n[truncated]\n"; // the build's marker
    cut = true;
  }
  sent += text.length;
  post({ type, text });
}

// Collects bytes into lines, so a multi-byte character is never split across messages.
function lineWriter(type) {
  const decoder = new TextDecoder();
  let bytes = [];
  const writer = (byte) => {
    bytes.push(byte[0]);
    if (byte[0] === 10) writer.flush();
  };
  writer.flush = () => {
    if (!bytes.length) return;
    const text = decoder.decode(new Uint8Array(bytes));
    bytes = [];
    emit(type, text);
  };
  return writer;
}

async function boardModules(root, board) {
  const url = root + "static/labs/boards/" + encodeURIComponent(board) + ".json";
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error("could not load the mock modules for board '" + board + "' (" + url + ": HTTP " + response.status + ")");
  }
  return response.json();
}

function writeFiles(FS, files) {
  for (const [path, source] of Object.entries(files || {})) {
    const parts = ("/lib/" + path).split("/").filter(Boolean);
    let dir = "";
    for (const part of parts.slice(0, -1)) {
      dir += "/" + part;
      try { FS.mkdir(dir); } catch (e) { /* exists */ }
    }
    FS.writeFile("/" + parts.join("/"), source);
  }
}

// The runner protocol of the mocks (labs/micropython/README.md): before each lab, import the
// budget module (which also puts /lib ahead of the port's frozen modules, so the mock `time`
// wins) and set the lab's frame budget, as the build's node runner does: its own simulate=,
// or the largest of its session when it has none. Labs without any budget are not run at
// build; here their sleeps take real time, so a blink loop paces visibly until the timeout.
function preludeCode(name, budget) {
  if (!name) return "";
  const set = budget ? name + ".budget = " + budget : name + ".realtime = True";
  return "import " + name + "\n" + set + "\n";
}

function describe(error, chunk, last) {
  let text = String(error && error.message ? error.message : error);
  text = text.split('File "<stdin>"').join('File "' + chunk.name + '"');
  if (!last) text = "In " + chunk.name + ", which runs before this lab (same session):\n" + text;
  return text;
}

async function run(request) {
  const { root, chunks, board } = request;
  let mp;
  let budgetModule = "";
  const stdout = lineWriter("stdout");
  const stderr = lineWriter("stderr");
  try {
    post({ type: "status", text: "Loading MicroPython…" });
    const { loadMicroPython } = await import(root + "static/labs/micropython/micropython.mjs");
    const modules = board ? await boardModules(root, board) : null;
    budgetModule = (modules && modules.budget_module) || "";
    mp = await loadMicroPython({ stdout, stderr, linebuffer: false, heapsize: HEAP_BYTES });
    try { mp.FS.mkdir("/lib"); } catch (e) { /* exists */ }
    writeFiles(mp.FS, modules && modules.files);
  } catch (error) {
    post({ type: "failed", message: "Could not start MicroPython: " + (error && error.message ? error.message : error) });
    return;
  }
  post({ type: "ready" });
  const sessionBudget = Math.max(0, ...chunks.map((c) => c.simulate || 0));
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    const last = i === chunks.length - 1;
    showing = chunk.show;
    try {
      if (chunk.startsLab) mp.runPython(preludeCode(budgetModule, chunk.simulate || sessionBudget));
      mp.runPython(chunk.code);
    } catch (error) {
      // SystemExit: the frame budget is spent (or the code called sys.exit()); that lab ends.
      if (!(error && error.type === "SystemExit") && !(chunk.expectError && !last)) {
        stdout.flush();
        stderr.flush();
        post({ type: "done", error: describe(error, chunk, last) });
        return;
      }
    }
    stdout.flush();
    stderr.flush();
  }
  post({ type: "done", error: "" });
}

self.onmessage = (event) => {
  run(event.data);
};
