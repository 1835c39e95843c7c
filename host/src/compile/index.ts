// Compile: config files → CompiledArtifacts (contract version 0.4.0).
export {
  ARTIFACTS_VERSION,
  type CompiledArtifacts,
  CompiledArtifactsSchema,
  type CompiledModel,
} from "./artifacts.js";
export { type CompileInput, type CompileResult, compileProject } from "./compile.js";
export { writeArtifacts } from "./write.js";
