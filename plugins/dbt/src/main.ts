#!/usr/bin/env node
// Entry point the host starts (floe-plugin.json: runtime node, command dist/main.js).
import { servePlugin } from "@floe/quality-sdk";
import { createDbtPlugin } from "./plugin.js";

await servePlugin(createDbtPlugin());
