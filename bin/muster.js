#!/usr/bin/env node
// dist/ is built by `npm run build`, which `npm ci` runs after installing.
import { cliMain } from "../dist/cli/main.js";

cliMain();
