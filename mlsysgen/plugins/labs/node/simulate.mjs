// Run MicroPython lab snippets on the vendored WebAssembly interpreter, in node.
//
//   node simulate.mjs PATH/TO/micropython.mjs  < request.json  > events (JSON lines)
//
// request: {"files": {"lib/sensor.py": "..."}, "prelude": "python run once, first",
//           "snippets": [{"code": "...", "prelude": "run before this snippet (the frame
//                         budget)", "expect_error": false}],
//           "limits": {"output_chars": 65536, "output_lines": 200}, "heapsize": 4194304}
// events:  {"event": "start", "index": i}
//          {"event": "done", "index": i, "stdout": "...", "error": null | {text, line, file}}
//          {"event": "crash", "index": -1, "detail": "..."}   // the prelude or mocks failed
//          {"event": "end"}
// The files are written under "/" in the interpreter's file system ("lib/x.py" lands
// in /lib, which is on MicroPython's sys.path): the same layout the browser uses.
// The snippets run in one interpreter, in order, like the blocks of a session. A
// snippet that raises SystemExit (the frame budget running out) simply ends. Lines in
// errors are those of the snippet's own code ("<stdin>"), counted from its first line.
// Timeouts are the caller's job: an endless loop blocks this process, so it is killed.

import { readFileSync, writeSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(0, "utf8"));
const { loadMicroPython } = await import(pathToFileURL(process.argv[2]).href);
const limits = request.limits || {};
const maxChars = limits.output_chars || 65536;
const maxLines = limits.output_lines || 200;

function emit(event) {
  // Synchronous, so every event before a kill has reached the pipe.
  writeSync(1, JSON.stringify(event) + "\n");
}

// Captured output with the same caps (and marker) as the CPython labs.
let parts = [];
let room = maxChars;
let linesLeft = maxLines;
let truncated = false;
const decoder = new TextDecoder();

function capture(data) {
  let text = typeof data === "string" ? data : decoder.decode(data, { stream: true });
  if (truncated || !text) return;
  let keep = text.slice(0, room);
  const newlines = (keep.match(/\n/g) || []).length;
  if (newlines >= linesLeft) {
    let cut = -1;
    for (let i = 0; i < linesLeft; i++) cut = keep.indexOf("\n", cut + 1);
    keep = keep.slice(0, cut + 1);
    truncated = true;
  } else if (keep.length < text.length) {
    truncated = true;
  }
  parts.push(keep);
  room -= keep.length;
  linesLeft -= (keep.match(/\n/g) || []).length;
}

function takeOutput() {
  let text = parts.join("");
  if (truncated) text += (text && !text.endsWith("\n") ? "\n" : "") + "[truncated]\n";
  parts = [];
  room = maxChars;
  linesLeft = maxLines;
  truncated = false;
  return text;
}

function describe(error) {
  const message = String(error && error.message ? error.message : error);
  const lines = message.trimEnd().split("\n");
  let line = null;
  for (const m of message.matchAll(/File "<stdin>", line (\d+)/g)) line = Number(m[1]);
  return { text: lines[lines.length - 1], line, file: "code" };
}

const mp = await loadMicroPython({
  heapsize: request.heapsize || 4 * 1024 * 1024,
  linebuffer: false,
  stdout: capture,
  stderr: capture,
});

function mkdirs(path) {
  let at = "";
  for (const part of path.split("/").slice(0, -1)) {
    if (!part) continue;
    at += "/" + part;
    try {
      mp.FS.mkdir(at);
    } catch {
      // already there
    }
  }
}

try {
  for (const [name, source] of Object.entries(request.files || {})) {
    mkdirs("/" + name);
    mp.FS.writeFile("/" + name, source);
  }
  if (request.prelude) mp.runPython(request.prelude);
  takeOutput();
} catch (error) {
  emit({ event: "crash", index: -1, detail: "the board's mock modules failed: " + describe(error).text });
  process.exit(0);
}

const snippets = request.snippets || [];
for (let index = 0; index < snippets.length; index++) {
  emit({ event: "start", index });
  let error = null;
  try {
    if (snippets[index].prelude) {
      mp.runPython(snippets[index].prelude);
      takeOutput();
    }
    mp.runPython(snippets[index].code);
  } catch (e) {
    if (!(e && e.type === "SystemExit")) error = describe(e);
  }
  emit({ event: "done", index, stdout: takeOutput(), error });
  if (error && !snippets[index].expect_error) break;
}
emit({ event: "end" });
