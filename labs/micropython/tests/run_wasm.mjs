// Test runner: one MicroPython program on the WebAssembly port, with a board's mocks,
// following the protocol of labs/micropython/README.md (files in /lib, then the prelude).
//
//   node run_wasm.mjs PATH/TO/micropython.mjs < {"files": {"lib/x.py": "..."},
//                                                "prelude": "...", "code": "..."}
// Prints the program's output. Exit status 0 when it ends (SystemExit included), 1 with
// the traceback on stderr when it raises.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(0, "utf8"));
const { loadMicroPython } = await import(pathToFileURL(process.argv[2]).href);
const mp = await loadMicroPython({
  heapsize: 4 * 1024 * 1024,
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});
for (const [name, source] of Object.entries(request.files)) {
  mp.FS.mkdirTree("/" + name.split("/").slice(0, -1).join("/"));
  mp.FS.writeFile("/" + name, source);
}
try {
  mp.runPython(request.prelude);
  mp.runPython(request.code);
} catch (error) {
  if (error && error.type === "SystemExit") process.exit(0);
  process.stderr.write(String(error.message || error) + "\n");
  process.exit(1);
}
