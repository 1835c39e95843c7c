#!/usr/bin/env node
// Launcher kept outside dist/ so npm can link it before the first build.
import "../dist/cli/main.js";
