#!/usr/bin/env node
// Launcher kept outside dist/ so npm can link it before the first build.
import { runCli } from "../dist/cli.js";

process.exitCode = await runCli(process.argv.slice(2));
