#!/usr/bin/env node
// The floe_sql plugin process (started by the floe-quality host, see floe-plugin.json).
import { servePlugin } from "@floe/quality-sdk";
import { createSqlPlugin } from "./plugin.js";

await servePlugin(createSqlPlugin());
