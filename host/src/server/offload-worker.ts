// The server's worker for work that would stall the event loop on a large
// request: compiling file contents and parsing caller-supplied artifacts. A
// FloeError does not cross the thread boundary as a class: it travels as a value.
import { FloeError } from "@floe/quality-sdk";
import { type CompileInput, compileProject } from "../compile/compile.js";
import { parseArtifactsJson } from "../runtime/artifacts.js";

export type OffloadTask =
  | { kind: "compile"; input: CompileInput }
  | { kind: "artifacts"; text: string; file: string };

export type OffloadError = {
  code: FloeError["code"];
  message: string;
  file?: string;
  path?: string;
  fix: string;
};

export default function offloadTask(
  task: OffloadTask,
): { value: unknown } | { error: OffloadError } {
  try {
    if (task.kind === "compile") return { value: compileProject(task.input) };
    return { value: parseArtifactsJson(task.text, task.file) };
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(error.file === undefined ? {} : { file: error.file }),
        ...(error.path === undefined ? {} : { path: error.path }),
        fix: error.fix,
      },
    };
  }
}
