/* mlsysgen labs: TinyTorch runs on Pyodide, in one module worker per page (labs.js keeps it).
 *
 * Request: { root, pyodide, chunks: [{ code, name, show, expectError }] } (see labs.js), one
 * at a time. The first request
 * loads Pyodide from `pyodide` (the book's labs.pyodide_url) and unpacks the site's
 * static/labs/tinytorch.zip into /home/pyodide (on sys.path as the working folder). Each
 * request loads the packages its code imports (numpy for numpy or tinytorch, matplotlib for
 * matplotlib), then runs the chunks in a fresh namespace with seeds reset as at build time.
 * Replies: status, ready (execution starts), stdout/stderr (streamed), then
 * done { error, figures: [svg…] }, missing { name } when a package cannot be loaded
 * (offline), or failed { message }.
 */

const MAX_OUTPUT_CHARS = 64 * 1024; // what a page can show usefully; a print loop can be endless

// The Python side: run one chunk, return ("ok"|"exit"|"error", traceback); collect figures.
const DRIVER = `
import io, linecache, os, random, sys, traceback

os.environ["MPLBACKEND"] = "Agg"  # the worker has no DOM for Pyodide's canvas backend

def _mlsysgen_lab_begin():
    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    return {"__name__": "__main__"}

def _mlsysgen_lab_exec(code, filename, ns):
    # Tracebacks then quote the reader's own lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        exec(compile(code, filename, "exec"), ns)
    except SystemExit:
        return ("exit", "")
    except BaseException as exc:
        # Drop this function's own frame: the traceback starts in the lab's code.
        tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
        return ("error", "".join(traceback.format_exception(type(exc), exc, tb)))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return ("ok", "")

def _mlsysgen_lab_figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    svgs = []
    for num in plt.get_fignums():
        buf = io.StringIO()
        plt.figure(num).savefig(buf, format="svg")
        svgs.append(buf.getvalue())
    plt.close("all")
    return svgs
`;

// Something the run needs could not be fetched (offline?): labs.js keeps the build output.
class Missing extends Error {}

let pyodide = null;
let driver = null; // the DRIVER's functions, as proxies kept for the worker's life
let showing = false;
let sent = 0;
let cut = false;

function post(message) {
  self.postMessage(message);
}

function emit(type, text) {
  if (!showing || cut || !text) return;
  if (sent + text.length > MAX_OUTPUT_CHARS) {
    text = text.slice(0, MAX_OUTPUT_CHARS - sent) + "\n[truncated]\n"; // the build's marker
    cut = true;
  }
  sent += text.length;
  post({ type, text });
}

function streamTo(type) {
  const decoder = new TextDecoder();
  return {
    write(buffer) {
      emit(type, decoder.decode(buffer, { stream: true }));
      return buffer.length;
    },
  };
}

async function start(request) {
  post({ type: "status", text: "Loading Python (Pyodide); the first Run takes a few seconds…" });
  let py;
  try {
    const { loadPyodide } = await import(request.pyodide + "pyodide.mjs");
    py = await loadPyodide({ indexURL: request.pyodide });
  } catch (error) {
    // Offline with the default CDN, this is where it ends: say so as for numpy.
    console.warn("mlsysgen labs: Pyodide did not load from " + request.pyodide, error);
    throw new Missing("Pyodide from " + request.pyodide);
  }
  py.setStdout(streamTo("stdout"));
  py.setStderr(streamTo("stderr"));
  post({ type: "status", text: "Unpacking TinyTorch…" });
  const url = request.root + "static/labs/tinytorch.zip";
  const response = await fetch(url);
  if (!response.ok) throw new Error("could not load " + url + " (HTTP " + response.status + ")");
  py.unpackArchive(new Uint8Array(await response.arrayBuffer()), "zip", { extractDir: "/home/pyodide" });
  py.runPython(DRIVER);
  driver = {
    begin: py.globals.get("_mlsysgen_lab_begin"),
    exec: py.globals.get("_mlsysgen_lab_exec"),
    figures: py.globals.get("_mlsysgen_lab_figures"),
  };
  return py;
}

const IMPORTS = /^[ \t]*(?:from[ \t]+(\w+)|import[ \t]+([^\n#;]+))/gm;

// The Pyodide packages the code needs: TinyTorch is numpy-only, figures need matplotlib.
function packagesFor(chunks) {
  const names = new Set();
  for (const chunk of chunks) {
    for (const m of chunk.code.matchAll(IMPORTS)) {
      const modules = m[1] ? [m[1]] : m[2].split(",").map((s) => s.trim().split(/[\s.]/)[0]);
      for (const name of modules) {
        if (name === "numpy" || name === "tinytorch") names.add("numpy");
        if (name === "matplotlib") names.add("matplotlib");
      }
    }
  }
  return [...names];
}

// loadPackage reports failures through errorCallback instead of throwing.
async function loadPackages(names) {
  for (const name of names) {
    if (pyodide.loadedPackages[name]) continue;
    post({ type: "status", text: "Loading " + name + "…" });
    const errors = [];
    await pyodide.loadPackage([name], { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    if (errors.length || !pyodide.loadedPackages[name]) return name;
  }
  return "";
}

function describe(traceback, chunk, last) {
  return last ? traceback : "In " + chunk.name + ", which runs before this lab (same session):\n" + traceback;
}

async function run(request) {
  try {
    if (!pyodide) pyodide = await start(request);
  } catch (error) {
    if (error instanceof Missing) {
      post({ type: "missing", name: error.message });
      return;
    }
    post({ type: "failed", message: "Could not start Python (Pyodide): " + (error && error.message ? error.message : error) });
    return;
  }
  const missing = await loadPackages(packagesFor(request.chunks));
  if (missing) {
    post({ type: "missing", name: missing });
    return;
  }
  const ns = driver.begin();
  sent = 0;
  cut = false;
  post({ type: "ready" });
  let error = "";
  try {
    const chunks = request.chunks;
    for (let i = 0; i < chunks.length; i++) {
      showing = chunks[i].show;
      const result = driver.exec(chunks[i].code, chunks[i].name, ns);
      const [state, traceback] = result.toJs();
      result.destroy();
      // As at build time, SystemExit ends that lab only, and an earlier lab whose error the
      // author expected (expect="error") does not stop its session.
      if (state === "exit") continue;
      if (state === "error" && !(chunks[i].expectError && i < chunks.length - 1)) {
        error = describe(traceback, chunks[i], i === chunks.length - 1);
        break;
      }
    }
  } finally {
    showing = false;
    ns.destroy();
  }
  const figures = driver.figures();
  post({ type: "done", error, figures: figures.toJs() });
  figures.destroy();
}

// Requests are handled one after another: labs.js sends the next only after a reply.
self.onmessage = (event) => {
  run(event.data).catch((error) => {
    post({ type: "failed", message: "Python (Pyodide) failed: " + (error && error.message ? error.message : error) });
  });
};
