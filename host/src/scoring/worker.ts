// The scoring pool's worker: scores one encoded request per task. A FloeError does
// not survive the thread boundary as a class, so it travels back as a value.
import { FloeError } from "@floe/quality-sdk";
import { scoreEncodedRequest } from "./request.js";

export default function scoreTask(task: { bytes: Uint8Array; now: number }) {
  try {
    return { score: scoreEncodedRequest(task.bytes, new Date(task.now)) };
  } catch (error) {
    if (error instanceof FloeError) {
      return { error: { code: error.code, message: error.message, path: error.path } };
    }
    throw error;
  }
}
